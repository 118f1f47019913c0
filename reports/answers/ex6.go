package answers

// PORT: buildEx6 is still to be ported from the old reports section code.
func buildEx6(b *builder, a *Answer, ms []*Matrix) {}
