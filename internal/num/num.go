package num

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// Num is a measurement that may be missing: NaN in Go, null in JSON (which has
// no NaN, and json.Marshal would fail on one). A field NVML does not support
// on a device therefore reads null in summary.json, never 0.
type Num float64

// NaN is the missing Num.
func NaN() Num { return Num(math.NaN()) }

// Valid reports whether the measurement is present (finite).
func (n Num) Valid() bool {
	f := float64(n)
	return !math.IsNaN(f) && !math.IsInf(f, 0)
}

// MarshalJSON writes null for a missing value.
func (n Num) MarshalJSON() ([]byte, error) {
	if !n.Valid() {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(n), 'g', -1, 64), nil
}

// UnmarshalJSON reads null back as NaN.
func (n *Num) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*n = NaN()
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = Num(f)
	return nil
}

// Float is n as a float64 (NaN when missing).
func (n Num) Float() float64 { return float64(n) }

// Finite is v when finite, else NaN: what a writer stores for a value that
// may have diverged (±Inf is no more a number to a reader than NaN).
func Finite(v float64) Num {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return NaN()
	}
	return Num(v)
}
