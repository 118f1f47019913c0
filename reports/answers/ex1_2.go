package answers

import (
	"fmt"

	"alexbench/harness/profile"
)

// buildEx12 answers exercise 1.2 (computational cost of the convolutions vs
// the fully connected layers) from the profile shown: FLOPs and measured
// time per layer, and the whole per-layer table.
func buildEx12(b *builder, a *Answer, ms []*Matrix) {
	lp, ok := profileShown(b, a)
	if !ok {
		return
	}
	p, total := lp.p, lp.total
	a.Text = append(a.Text, profile.ComputeAnswer(&p.File))
	a.Summary, a.Glance = lp.computeSummary()
	var fwdG, bwdG, fwdMs, fbMs []float64
	for _, l := range p.Layers {
		fwdG, bwdG = append(fwdG, float64(l.FwdFLOPs)/1e9), append(bwdG, float64(l.BwdFLOPs)/1e9)
		fwdMs, fbMs = append(fwdMs, nanIfZero(l.FwdMs)), append(fbMs, nanIfZero(l.FwdBwdMs))
	}
	a.Blocks = append(a.Blocks,
		Block{Figures: []Figure{
			lp.perLayerBars("flops", "FLOPs per layer", "GFLOP", fwdG, bwdG, "forward", "backward"),
			lp.perLayerBars("time", "Measured time per layer", "ms", fwdMs, fbMs, "forward", "forward + backward"),
		}})
	t := &Table{Caption: "Per-layer table: " + lp.where, Head: []string{"layer", "kind", "output", "params", "param MiB", "act MiB", "fwd GFLOP", "bwd GFLOP", "min MiB moved", "FLOP/byte", "fwd ms", "fwd+bwd ms", "achieved GFLOP/s", "achieved GB/s"},
		Right: []bool{false, false, false, true, true, true, true, true, true, true, true, true, true, true}}
	for _, l := range p.Layers {
		t.Rows = append(t.Rows, []string{l.Name, l.Kind, shapeString(l.OutShape), fmtCount(l.Params),
			fmt.Sprintf("%.2f", float64(l.ParamBytes)/mib), fmt.Sprintf("%.2f", float64(l.ActBytes)/mib),
			fmt.Sprintf("%.3f", float64(l.FwdFLOPs)/1e9), fmt.Sprintf("%.3f", float64(l.BwdFLOPs)/1e9),
			fmt.Sprintf("%.2f", float64(l.MinBytes)/mib), fmt.Sprintf("%.2f", l.Intensity),
			msOrDash(l.FwdMs), msOrDash(l.FwdBwdMs), fmt.Sprintf("%.1f", l.AchievedFLOPs/1e9), fmt.Sprintf("%.1f", l.AchievedBytesPerSec/1e9)})
	}
	t.Rows = append(t.Rows, []string{"total", "", "", fmtCount(int64(total.params)), fmt.Sprintf("%.2f", total.paramBytes/mib), fmt.Sprintf("%.2f", total.actBytes/mib),
		fmt.Sprintf("%.3f", fwdFLOPs(p.Layers)/1e9), fmt.Sprintf("%.3f", (total.flops-fwdFLOPs(p.Layers))/1e9), "", "", "", msOrDash(total.ms), "", ""})
	a.Blocks = append(a.Blocks, Block{Table: t},
		Block{Note: "FLOPs count 2 × multiply-adds (unlike fvcore/thop). Times are medians of each layer run alone as a compiled graph on its real input shape; intensity and achieved rates are of the forward pass."})
}
