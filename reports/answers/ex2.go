package answers

// PORT: buildEx2 is still to be ported from the old reports section code.
func buildEx2(b *builder, a *Answer, ms []*Matrix) {}
