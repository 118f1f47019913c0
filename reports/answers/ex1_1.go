package answers

import "alexbench/harness/profile"

// buildEx11 answers exercise 1.1 (memory footprint of the convolutions vs
// the fully connected layers) from the profile shown.
func buildEx11(b *builder, a *Answer, ms []*Matrix) {
	lp, ok := profileShown(b, a)
	if !ok {
		return
	}
	// The answer's words are harness/profile's, the one text of exercise
	// 1's answers (alexbench profile prints the same).
	a.Text = append(a.Text, profile.MemoryAnswer(&lp.p.File))
	a.Summary, a.Glance = lp.memorySummary()
	var pMiB, aMiB []float64
	for _, l := range lp.p.Layers {
		pMiB, aMiB = append(pMiB, float64(l.ParamBytes)/mib), append(aMiB, float64(l.ActBytes)/mib)
	}
	a.Blocks = append(a.Blocks, Block{Figures: []Figure{lp.perLayerBars("memory", "Memory per layer", "MiB", pMiB, aMiB, "parameters", "activations kept")}})
}
