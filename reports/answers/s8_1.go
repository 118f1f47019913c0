package answers

// PORT: buildS81 is still to be ported from the old reports section code.
func buildS81(b *builder, a *Answer, ms []*Matrix) {}
