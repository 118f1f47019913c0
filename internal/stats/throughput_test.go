package stats

import (
	"math"
	"testing"
)

func TestThroughputIsTheMedianAfterTheFirstEpoch(t *testing.T) {
	for _, tt := range []struct {
		rates []float64
		want  float64
	}{
		{[]float64{10, 100, 300, 200}, 200},         // epoch 1 (compilation) left out
		{[]float64{10, 100, 200}, 150},              // even count: the middle two
		{[]float64{42}, 42},                         // the only epoch counts
		{[]float64{10, 0, math.NaN(), 90}, 90},      // unmeasured rates left out
		{[]float64{10, 100, 110, 9000, 105}, 107.5}, // one outlier does not move it
	} {
		if got := Throughput(tt.rates); got != tt.want {
			t.Errorf("Throughput(%v) = %v, want %v", tt.rates, got, tt.want)
		}
	}
	if got := Throughput(nil); !math.IsNaN(got) {
		t.Errorf("Throughput(nil) = %v, want NaN", got)
	}
}
