package nn

import (
	. "github.com/gomlx/gomlx/pkg/core/graph"
)

// batchNormTrainFused is batchNormTrain with BatchNorm's gradient written out
// instead of differentiated through the statistics. With x̂ = (x − μ)/σ and
// g = dy·γ/σ (the gradient with μ and σ held fixed),
//
//	dx = g − mean(g) − x̂·mean(g·x̂) = g − (x·a + c),
//	a = mean(g·x̂)/σ = (mean(g·x) − μ·mean(g))/σ²,  c = mean(g) − μ·a,
//
// per channel, so no x̂ is ever materialized: two reductions and three passes
// over x. SimpleGo runs every elementwise op as its own pass over memory
// (nothing is fused), and GoMLX's gradient through the mean and variance
// takes many more; on fastcpu that was a third of cnn28's step.
//
// The forward pass is y = x·s + t with s = γ/σ and t = β − μ·s, μ and σ held
// constant (StopGradient), so autodiff gives dγ = Σ dy·x̂, dβ = Σ dy and
// g for x; x enters through an identity whose custom gradient turns g into
// the full dx.
func batchNormTrainFused(x, gamma, beta *Node) (y, mean, variance *Node) {
	axes := make([]int, x.Rank()-1)
	for i := range axes {
		axes[i] = i
	}
	bs := channelShape(x)
	mean = ReduceMean(x, axes...)
	variance = ReduceMean(Square(Sub(x, Reshape(mean, bs...))), axes...)
	mu := StopGradient(mean)
	invStd := StopGradient(Div(OnesLike(variance), Sqrt(AddScalar(variance, bnEps))))

	u := IdentityWithCustomGradient(x, func(x, g *Node) *Node {
		m1 := ReduceMean(g, axes...)
		mgx := ReduceMean(Mul(g, x), axes...)
		a := Mul(Sub(mgx, Mul(mu, m1)), Square(invStd))
		c := Sub(m1, Mul(mu, a))
		return Sub(g, Add(Mul(x, Reshape(a, bs...)), Reshape(c, bs...)))
	})
	scale := Mul(gamma, invStd)
	shift := Sub(beta, Mul(mu, scale))
	y = Add(Mul(u, Reshape(scale, bs...)), Reshape(shift, bs...))
	return y, mean, variance
}
