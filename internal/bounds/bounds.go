// Package bounds is the one check every number a user gives goes through,
// wherever it enters — a flag, a TOML matrix, a baseline file: it must be a
// finite number within its range, and a size must fit what a machine can
// hold. Each error names where the number came from (the flag, or
// file:line:key) and what was wanted, so a NaN never slips through a
// comparison (every comparison with NaN is false) to disarm a gate or
// train a model on nothing.
package bounds

import (
	"fmt"
	"math"
	"strconv"
)

// Float checks that v, given at where, is finite and in [lo, hi].
func Float(where string, v, lo, hi float64) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Errorf("%s: %v is not a finite number (want %s)", where, v, Range(lo, hi))
	case v < lo || v > hi:
		return fmt.Errorf("%s: %s is out of range (want %s)", where, format(v), Range(lo, hi))
	}
	return nil
}

// Int checks that v, given at where, is in [lo, hi].
func Int(where string, v, lo, hi int64) error {
	if v < lo || v > hi {
		return fmt.Errorf("%s: %d is out of range (want %s)", where, v, Range(float64(lo), float64(hi)))
	}
	return nil
}

// Range is "0 to 1", "≥ 0" or "≤ 5" in words.
func Range(lo, hi float64) string {
	switch {
	case math.IsInf(hi, 1) || hi == math.MaxFloat64:
		return "≥ " + format(lo)
	case math.IsInf(lo, -1) || lo == -math.MaxFloat64:
		return "≤ " + format(hi)
	}
	return format(lo) + " to " + format(hi)
}

func format(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
