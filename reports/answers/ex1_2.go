package answers

// PORT: buildEx12 is still to be ported from the old reports section code.
func buildEx12(b *builder, a *Answer, ms []*Matrix) {}
