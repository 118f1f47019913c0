package cost

import (
	"fmt"
	"math"
	"time"
)

// Estimate is how long some work should take at a measured speed.
type Estimate struct {
	FLOPs       float64
	FLOPsPerSec float64
}

// Duration is FLOPs at FLOPsPerSec (0 when the speed is unknown).
func (e Estimate) Duration() time.Duration {
	if !(e.FLOPsPerSec > 0) {
		return 0
	}
	// Saturate: a run longer than time.Duration holds (292 years) must not
	// wrap to a negative estimate that no "longer than an hour" test catches.
	d := e.FLOPs / e.FLOPsPerSec * float64(time.Second)
	if !(d < math.MaxInt64) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(d)
}

func (e Estimate) String() string {
	return fmt.Sprintf("at least %s (%.3g TFLOP at the backend's measured %.3g GFLOP/s matmul speed)",
		FormatDuration(e.Duration()), e.FLOPs/1e12, e.FLOPsPerSec/1e9)
}

// EstimateFloor is the FLOPs below which a cell is not estimated: even a
// slow 2-core CPU (~20 GFLOP/s) finishes it within minutes.
const EstimateFloor = 1e13

// FormatDuration is a duration as people say it: "42 s", "17 min", "3.5 h", "2.1 days".
func FormatDuration(d time.Duration) string {
	switch s := d.Seconds(); {
	case s < 90:
		return fmt.Sprintf("%.0f s", s)
	case s < 90*60:
		return fmt.Sprintf("%.0f min", s/60)
	case s < 48*3600:
		return fmt.Sprintf("%.1f h", s/3600)
	default:
		return fmt.Sprintf("%.1f days", s/86400)
	}
}
