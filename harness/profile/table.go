package profile

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

func shape(s []int) string {
	p := make([]string, len(s))
	for i, d := range s {
		p[i] = fmt.Sprint(d)
	}
	return strings.Join(p, "×")
}

func msCell(ms float64) string {
	if ms <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.3f", ms)
}

// PrintTable writes f as a text table (one row per layer, then totals), the
// ceilings and the answers.
func PrintTable(w io.Writer, f *File) error {
	fmt.Fprintf(w, "%s, batch %d, %d×%d input, %s on %s (%s)\n", f.Model, f.Batch, f.Resize, f.Resize, f.DType, f.Device, f.Backend)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "layer\tkind\toutput\tparams\tparam MiB\tact MiB\tfwd GFLOP\tbwd GFLOP\tmin MiB\tFLOP/B\tbound\tfwd ms\tfwd+bwd ms\tinfer ms\ttime %\tfwd GFLOP/s\tfwd GB/s\troof %\t")
	for _, l := range f.Layers {
		share := "–"
		if l.FwdBwdMs > 0 && f.Totals.FwdBwdMs > 0 {
			share = fmt.Sprintf("%.1f", 100*l.FwdBwdMs/f.Totals.FwdBwdMs)
		}
		rate, bw, roof := "–", "–", "–"
		if l.FwdMs > 0 {
			rate, bw = fmt.Sprintf("%.2f", l.AchievedFLOPs/1e9), fmt.Sprintf("%.2f", l.AchievedBytesPerSec/1e9)
		}
		if l.RoofFraction > 0 {
			roof = fmt.Sprintf("%.1f", 100*l.RoofFraction)
		}
		bound := l.Bound
		if bound == "" {
			bound = "–"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2f\t%.2f\t%.3f\t%.3f\t%.2f\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			l.Name, l.Kind, shape(l.OutShape), count(l.Params), float64(l.ParamBytes)/mib, float64(l.ActBytes)/mib,
			float64(l.FwdFLOPs)/1e9, float64(l.BwdFLOPs)/1e9, float64(l.MinBytes)/mib, l.Intensity, bound,
			msCell(l.FwdMs), msCell(l.FwdBwdMs), msCell(l.InferMs), share, rate, bw, roof)
	}
	t := f.Totals
	fmt.Fprintf(tw, "total\t\t\t%s\t%.2f\t%.2f\t%.3f\t%.3f\t%.2f\t\t\t%s\t%s\t%s\t\t\t\t\t\n",
		count(t.Params), float64(t.ParamBytes)/mib, float64(t.ActBytes)/mib, float64(t.FwdFLOPs)/1e9, float64(t.BwdFLOPs)/1e9,
		float64(t.MinBytes)/mib, msCell(t.FwdMs), msCell(t.FwdBwdMs), msCell(t.InferMs))
	if err := tw.Flush(); err != nil {
		return err
	}
	c := f.Ceilings
	if c.Ridge() > 0 {
		fmt.Fprintf(w, "ceilings: matmul %d² %.3f ms → %s/s; copy %s → %s/s (read + written); ridge %.1f FLOP/byte\n",
			c.MatmulN, c.MatmulMs, si(c.PeakFLOPs, "FLOP"), fmtMiB(float64(c.CopyBytes)), si(c.PeakBytesPerS, "B"), c.Ridge())
	} else {
		fmt.Fprintln(w, "ceilings: not measured")
	}
	fmt.Fprintf(w, "memory at least: training %s (weights, gradients, kept activations, input); inference %s (weights + the largest input + output of one layer)\n",
		fmtMiB(float64(t.TrainBytes)), fmtMiB(float64(t.InferPeakBytes)))
	if c.LaunchMs > 0 {
		fmt.Fprintf(w, "launch: a one-element graph takes %.3f ms on this backend\n", c.LaunchMs)
	}
	if f.Runs > 0 {
		fmt.Fprintf(w, "medians of ≥ %d timed runs per graph after up to %d warm-up runs; the layers took %.1f s\n", f.Runs, f.Warmup, f.WallS)
	}
	if f.Problem != "" {
		fmt.Fprintf(w, "problem: %s\n", f.Problem)
	}
	for _, a := range f.Answers {
		fmt.Fprintf(w, "\n%s\n", a)
	}
	_, err := fmt.Fprintln(w)
	return err
}
