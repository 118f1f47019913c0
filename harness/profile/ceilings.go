package profile

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
)

// CeilingSizes are the ceiling benchmarks' sizes: big enough that launch
// overheads vanish on the device, small enough to finish quickly on a CPU.
type CeilingSizes struct {
	MatmulN  int   // the square matmul's side
	CopyElem int64 // float32 elements copied
}

// DefaultCeilingSizes: a GPU gets an 8192² matmul (1.1 TFLOP) and a 1 GiB
// copy; a CPU a 1024² matmul (2.1 GFLOP) and a 64 MiB copy.
func DefaultCeilingSizes(gpu bool) CeilingSizes {
	if gpu {
		return CeilingSizes{MatmulN: 8192, CopyElem: 256 << 20}
	}
	return CeilingSizes{MatmulN: 1024, CopyElem: 16 << 20}
}

// MeasureCeilings times a MatmulN² float32 matmul (2·N³ FLOPs) and an
// elementwise copy (y = −x: each element read once and written once, which
// no compiler can turn into an alias) through be.
func MeasureCeilings(be backends.Backend, s CeilingSizes, t Timing) (c Ceilings, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("ceilings: %v", r)
		}
	}()
	r := rand.New(rand.NewPCG(7, 11))
	n := s.MatmulN
	a, err := deviceTensor(be, r, []int{n, n})
	if err != nil {
		return c, err
	}
	defer a.FinalizeAll()
	b, err := deviceTensor(be, r, []int{n, n})
	if err != nil {
		return c, err
	}
	defer b.FinalizeAll()
	mm, err := NewExec(be, func(a, b *Node) []*Node {
		y := DotGeneral(a, []int{1}, nil, b, []int{0}, nil)
		return []*Node{y, firstElement(y)}
	})
	if err != nil {
		return c, fmt.Errorf("matmul ceiling: %w", err)
	}
	defer mm.Finalize()
	mmRuns := 0
	c.MatmulMs, mmRuns, err = t.median(func() error {
		outs, err := mm.Exec(a, b)
		if err != nil {
			return err
		}
		return syncAndFree(outs)
	})
	if err != nil {
		return c, fmt.Errorf("matmul ceiling: %w", err)
	}
	c.MatmulN = n
	c.PeakFLOPs = 2 * float64(n) * float64(n) * float64(n) / (c.MatmulMs / 1000)

	x, err := deviceTensor(be, r, []int{int(s.CopyElem)})
	if err != nil {
		return c, err
	}
	defer x.FinalizeAll()
	cp, err := NewExec(be, func(x *Node) []*Node {
		y := Neg(x)
		return []*Node{y, firstElement(y)}
	})
	if err != nil {
		return c, fmt.Errorf("copy ceiling: %w", err)
	}
	defer cp.Finalize()
	cpRuns := 0
	c.CopyMs, cpRuns, err = t.median(func() error {
		outs, err := cp.Exec(x)
		if err != nil {
			return err
		}
		return syncAndFree(outs)
	})
	if err != nil {
		return c, fmt.Errorf("copy ceiling: %w", err)
	}
	c.CopyBytes = s.CopyElem * BytesPerElem
	c.PeakBytesPerS = 2 * float64(c.CopyBytes) / (c.CopyMs / 1000)
	c.Runs = min(mmRuns, cpRuns)
	if c.LaunchMs, err = measureLaunch(be, r, t); err != nil {
		return c, err
	}
	return c, nil
}

// measureLaunch times the copy graph's kind on one element: the cost of
// starting a graph and reading its result back, with no work to speak of.
// (Compiled anew: a graph is specialized to its input shape.)
func measureLaunch(be backends.Backend, r *rand.Rand, t Timing) (float64, error) {
	one, err := deviceTensor(be, r, []int{1})
	if err != nil {
		return 0, err
	}
	defer one.FinalizeAll()
	e, err := NewExec(be, func(x *Node) []*Node {
		y := Neg(x)
		return []*Node{y, firstElement(y)}
	})
	if err != nil {
		return 0, fmt.Errorf("launch ceiling: %w", err)
	}
	defer e.Finalize()
	ms, _, err := t.median(func() error {
		outs, err := e.Exec(one)
		if err != nil {
			return err
		}
		return syncAndFree(outs)
	})
	if err != nil {
		return 0, fmt.Errorf("launch ceiling: %w", err)
	}
	return ms, nil
}
