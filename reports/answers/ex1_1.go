package answers

// PORT: buildEx11 is still to be ported from the old reports section code.
func buildEx11(b *builder, a *Answer, ms []*Matrix) {}
