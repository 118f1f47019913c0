package answers

// PORT: buildEx7 is still to be ported from the old reports section code.
func buildEx7(b *builder, a *Answer, ms []*Matrix) {}
