package answers

// PORT: buildEx3 is still to be ported from the old reports section code.
func buildEx3(b *builder, a *Answer, ms []*Matrix) {}
