package nvml

import "alexbench/internal/num"

// Num is a measurement that may be missing (NaN in Go, null in JSON): the
// one NaN-aware number type, internal/num's, under the name this package's
// fields have always used.
type Num = num.Num

// NaN is the missing Num.
func NaN() Num { return num.NaN() }
