package answers

// PORT: buildEx4 is still to be ported from the old reports section code.
func buildEx4(b *builder, a *Answer, ms []*Matrix) {}
