package answers

import (
	"fmt"

	"alexbench/harness/profile"
)

// buildEx2 answers exercise 2 — a chip designer trading compute against
// memory bandwidth — from the measured roofline and each layer's bound: what
// a 2× compute chip and a 2× bandwidth chip would each save of AlexNet's
// measured passes.
func buildEx2(b *builder, a *Answer, _ []*Matrix) {
	one, large := exProfiles(b.res.Profiles)
	ps := presentProfiles(one, large)
	if len(ps) == 0 {
		a.Status = NotMeasured
		a.Text = append(a.Text, "Not measured yet — run `alexbench profile alexnet` (it profiles batch 1 and a large batch).")
		return
	}
	a.Status = Measured
	a.Text = append(a.Text, "Model: each layer's measured time is split by its bound on the measured roofline (intensity of its forward pass against the ridge, as in exercise 1.3). A chip with 2× the FLOP/s halves the time of compute-bound layers and leaves the rest; a chip with 2× the bandwidth halves the memory-bound layers' time. Layers that are launch-bound (shorter on the roofline than one graph launch on this device) gain from neither.")
	t := &Table{Caption: "Share of the measured pass each chip would save (AlexNet, layers summed)",
		Head:  []string{"batch", "pass", "measured", "compute-bound", "memory-bound", "launch-bound", "2× compute saves", "2× bandwidth saves", "buy"},
		Right: []bool{true, false, true, true, true, true, true, true, false}}
	for _, p := range ps {
		for _, pass := range []profile.Pass{profile.Training, profile.Inference} {
			c, ok := profile.ChipFor(&p.File, pass)
			if !ok {
				t.Rows = append(t.Rows, []string{fmt.Sprint(p.Batch), string(pass), "not measured", "–", "–", "–", "–", "–", "–"})
				if pass == profile.Inference {
					a.Status = Partial
				}
				continue
			}
			buy := "2× compute"
			if c.Bandwidth2xSaves() > c.Compute2xSaves() {
				buy = "2× bandwidth"
			}
			t.Rows = append(t.Rows, []string{fmt.Sprint(p.Batch), string(pass), fmtMs(c.TotalMs), share(c.ComputeMs, c.TotalMs), share(c.MemoryMs, c.TotalMs),
				share(c.LaunchMs, c.TotalMs), fmtPct(c.Compute2xSaves()), fmtPct(c.Bandwidth2xSaves()), buy})
			a.Text = append(a.Text, fmt.Sprintf("%s at batch %d on %s: of %s measured, a 2× compute chip saves %s (%s), a 2× bandwidth chip %s (%s): buy %s for this use.",
				pass, p.Batch, orDash(p.Device), fmtMs(c.TotalMs), fmtMs(c.ComputeMs/2), fmtPct(c.Compute2xSaves()),
				fmtMs(c.MemoryMs/2), fmtPct(c.Bandwidth2xSaves()), buy))
		}
	}
	if large == nil || large.Batch != 128 {
		a.Text = append(a.Text, "d2l's batch 128 is not among the profiles here (on a CPU `alexbench profile` defaults to batch 1 and 8); run `alexbench profile alexnet --batch 128` for it.")
	}
	a.Blocks = append(a.Blocks, Block{Table: t})
	a.Summary, a.Glance = chipSummary(one, large)
}
