package reports

import (
	"math"
	"strconv"
)

// num is a chart value: JSON with 6 significant digits (the page stays small
// and byte-stable), null for NaN/Inf so echarts draws a gap.
type num float64

func (n num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', 6, 64), nil
}

func nums(xs []float64) []num {
	out := make([]num, len(xs))
	for i, x := range xs {
		out[i] = num(x)
	}
	return out
}
