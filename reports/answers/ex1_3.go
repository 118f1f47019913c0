package answers

// PORT: buildEx13 is still to be ported from the old reports section code.
func buildEx13(b *builder, a *Answer, ms []*Matrix) {}
