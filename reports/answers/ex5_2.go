package answers

// PORT: buildEx52 is still to be ported from the old reports section code.
func buildEx52(b *builder, a *Answer, ms []*Matrix) {}
