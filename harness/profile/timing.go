package profile

import (
	"fmt"
	"slices"
	"time"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Timing says how a median was taken.
type Timing struct {
	Warmup int           // untimed runs after the compiling one
	Runs   int           // timed runs wanted
	Budget time.Duration // per graph: see median (0: always Warmup and Runs)
}

// minRuns is the fewest timed runs a budget may cut a median down to.
const minRuns = 3

// runOnce executes one compiled graph and reads a scalar result back to the
// host: that read waits for the device, so the clock stops only when the
// work is done (go-xla's Execute also waits; SimpleGo computes on the caller's
// thread). Every output is freed before returning.
type runOnce func() error

// sync reads the last output (a scalar) back and frees all outputs.
func syncAndFree(outs []*tensors.Tensor) error {
	if len(outs) == 0 {
		return fmt.Errorf("graph returned no outputs")
	}
	defer func() {
		for _, o := range outs {
			_ = o.FinalizeAll()
		}
	}()
	_ = tensors.ToScalar[float32](outs[len(outs)-1])
	return nil
}

// median runs run once to compile it, then up to t.Warmup untimed times,
// then times it up to t.Runs times and returns the median in milliseconds and
// the number of timed runs. With a budget, a graph slower than the budget
// gets fewer runs: warm-up stops once the compiling and warm-up runs have
// taken half the budget (the compiling run executes the graph once, so the
// kernels and buffer pools are warm), and timing stops once the timed runs
// have taken the budget, after at least minRuns.
func (t Timing) median(run runOnce) (ms float64, n int, err error) {
	start := time.Now()
	for i := 0; i < 1+t.Warmup; i++ {
		if i > 0 && t.Budget > 0 && time.Since(start) > t.Budget/2 {
			break
		}
		if err := run(); err != nil {
			return 0, 0, err
		}
	}
	var times []float64
	start = time.Now()
	for len(times) < max(t.Runs, 1) {
		if t.Budget > 0 && len(times) >= minRuns && time.Since(start) > t.Budget {
			break
		}
		t0 := time.Now()
		if err := run(); err != nil {
			return 0, 0, err
		}
		times = append(times, float64(time.Since(t0).Nanoseconds())/1e6)
	}
	return medianOf(times), len(times), nil
}

func medianOf(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
