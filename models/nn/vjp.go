package nn

import (
	"runtime"
	"sync"
	"weak"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// GoMLX v0.26.0 picks a node's gradient by its type (graph.VJPRegistration).
// Three of those gradients don't suit us:
//   - Slice's needs Pad, which SimpleGo lacks;
//   - DotGeneral's multiplies broadcast operands into a [M, K, N] tensor and
//     reduces it, instead of running two matmuls. For AlexNet's fc6 at batch 128
//     that is a 128×6400×4096 (13 GB) intermediate: it is why the full AlexNet
//     crawled on the GPU (2.5 s/step) while its convs alone ran at 6 ms, and why
//     SimpleGo spent most of LeNet's step in its broadcast iterator;
//   - Max's (used by ReLU) builds sign-based indicators for both operands and
//     reduces the constant side's gradient, ~8 passes where one Where will do.
//
// Nodes built by this package's helpers carry their own gradient, registered
// here by node; every other node keeps GoMLX's.
var customVJPs sync.Map // weak.Pointer[Node] → SingleOutputVJP; entries die with their node

func init() {
	for _, t := range []NodeType{NodeTypeSlice, NodeTypeDotGeneral, NodeTypeMax, NodeTypeConvGeneral, NodeTypeReduceMax} {
		original := VJPRegistration[t]
		VJPRegistration[t] = func(node *Node, vjps []*Node, outShape shapes.Shape) []*Node {
			if fn, ok := customVJPs.Load(weak.Make(node)); ok {
				return fn.(SingleOutputVJP)(node, vjps[0], outShape)
			}
			return original(node, vjps, outShape)
		}
	}
}

// withVJP registers fn as the gradient of node and returns node.
func withVJP(node *Node, fn SingleOutputVJP) *Node {
	key := weak.Make(node)
	customVJPs.Store(key, fn)
	runtime.AddCleanup(node, func(k weak.Pointer[Node]) { customVJPs.Delete(k) }, key)
	return node
}

// matmul is a [M,K]·[K,N] product whose gradient is two matmuls:
// dA = dY·Bᵀ and dB = Aᵀ·dY, each one DotGeneral (cuBLAS on the GPU, the
// blocked kernel on SimpleGo).
func matmul(a, b *Node) *Node {
	y := DotGeneral(a, []int{1}, nil, b, []int{0}, nil)
	return withVJP(y, func(node, v *Node, _ shapes.Shape) []*Node {
		a, b := node.Inputs()[0], node.Inputs()[1]
		return []*Node{
			DotGeneral(v, []int{1}, nil, b, []int{1}, nil), // [M,N]·[K,N]ᵀ → [M,K]
			DotGeneral(a, []int{0}, nil, v, []int{0}, nil), // [M,K]ᵀ·[M,N] → [K,N]
		}
	})
}

// relu is max(x, 0) with the one-pass gradient v·[y > 0]. It tests the
// output, not x (the same where y = max(x, 0)), so x is dead after the
// forward pass: internal/fastcpu then fuses a bias Add into the Max, and
// the gradient's comparison and zeros into its Where.
func relu(x *Node) *Node {
	y := Max(x, ScalarZero(x.Graph(), x.DType()))
	return withVJP(y, func(node, v *Node, _ shapes.Shape) []*Node {
		return []*Node{Where(GreaterThan(node, ScalarZero(node.Graph(), node.DType())), v, ZerosLike(v)), nil}
	})
}

// max2 is Max(a, b) with the gradient going to a where a ≥ b, else to b:
// two Wheres, where GoMLX's builds sign-based indicators for both operands
// (~8 passes). Max pooling's fallback chains it over the window taps, so a
// tie sends the whole gradient to the earliest tap, as PyTorch's max pool does.
func max2(a, b *Node) *Node {
	y := Max(a, b)
	return withVJP(y, func(node, v *Node, _ shapes.Shape) []*Node {
		a, b := node.Inputs()[0], node.Inputs()[1]
		takeA := GreaterOrEqual(a, b)
		zero := ZerosLike(v)
		return []*Node{Where(takeA, v, zero), Where(takeA, zero, v)}
	})
}
