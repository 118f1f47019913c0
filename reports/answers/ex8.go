package answers

// PORT: buildEx8 is still to be ported from the old reports section code.
func buildEx8(b *builder, a *Answer, ms []*Matrix) {}
