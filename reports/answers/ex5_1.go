package answers

// PORT: buildEx51 is still to be ported from the old reports section code.
func buildEx51(b *builder, a *Answer, ms []*Matrix) {}
