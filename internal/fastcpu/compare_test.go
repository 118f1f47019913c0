package fastcpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Every comparison, on same-shape operands and with a scalar on either side,
// answers as SimpleGo's own; values come from a few integers so equal pairs
// are common. A broadcast other than a scalar stays SimpleGo's.
func TestComparisonsMatchSimpleGo(t *testing.T) {
	be := newBackend(t)
	r := rand.New(rand.NewPCG(31, 32))
	ints := func(dt dtypes.DType, dims ...int) *tensors.Tensor {
		x := randomTensor(r, dt, dims...)
		switch dt {
		case dtypes.Float32:
			tensors.MutableFlatData(x, func(f []float32) {
				for i := range f {
					f[i] = float32(r.IntN(3) - 1)
				}
			})
		case dtypes.Float64:
			tensors.MutableFlatData(x, func(f []float64) {
				for i := range f {
					f[i] = float64(r.IntN(3) - 1)
				}
			})
		}
		return x
	}
	ops := map[string]func(a, b *graph.Node) *graph.Node{
		"GreaterThan": graph.GreaterThan, "GreaterOrEqual": graph.GreaterOrEqual,
		"LessThan": graph.LessThan, "LessOrEqual": graph.LessOrEqual,
		"Equal": graph.Equal, "NotEqual": graph.NotEqual,
	}
	shapes := []struct {
		name     string
		lhs, rhs []int
		fast     bool
	}{
		{"same shape", []int{5, 7}, []int{5, 7}, true},
		{"scalar right", []int{4, 3, 2}, nil, true},
		{"scalar left", nil, []int{4, 3, 2}, true},
		{"large, split over cores", []int{300, 300}, nil, true},
		{"row broadcast", []int{4, 5}, []int{1, 5}, false},
	}
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for name, op := range ops {
			for _, s := range shapes {
				t.Run(fmt.Sprintf("%s/%s/%s", dt, name, s.name), func(t *testing.T) {
					lhs, rhs := ints(dt, s.lhs...), ints(dt, s.rhs...)
					exec := graph.MustNewExec(be, op)
					run := func(slow bool) string {
						bypass.Store(slow)
						defer bypass.Store(false)
						return fmt.Sprint(exec.MustExec(lhs, rhs)[0].Value())
					}
					want := run(true)
					before := fastRuns.Load()
					got := run(false)
					if fast := fastRuns.Load() > before; fast != s.fast {
						t.Fatalf("fast executor ran: %v, want %v", fast, s.fast)
					}
					if got != want {
						t.Fatalf("%s(%v, %v) = %s, SimpleGo's %s", name, lhs.Value(), rhs.Value(), got, want)
					}
				})
			}
		}
	}
}
