package answers

import (
	"fmt"
	"math"
	"strings"

	"alexbench/harness/profile"
)

// Exercises 1, 2 and 3 are answered from the per-layer profiles `alexbench
// profile` writes (results/profile/*.json), not from training cells. This
// file holds what their sections share: which profile is shown, its sums
// over the convolutional and the fully connected part, and the per-layer
// bar chart.

const mib = 1 << 20

// mainProfile is the one the charts show: AlexNet at d2l's batch 128 if
// profiled, else AlexNet's largest batch, else the first file.
func mainProfile(ps []*Profile) *Profile {
	var best *Profile
	for _, p := range ps {
		if p.Model != "alexnet" {
			continue
		}
		if p.Batch == 128 {
			return p
		}
		if best == nil || p.Batch > best.Batch {
			best = p
		}
	}
	if best != nil {
		return best
	}
	return ps[0]
}

// exProfiles are AlexNet's profiles at batch 1 and at the largest batch
// (128 when profiled: d2l's batch), either nil when absent.
func exProfiles(ps []*Profile) (one, large *Profile) {
	for _, p := range ps {
		if p.Model != "alexnet" {
			continue
		}
		if p.Batch == 1 && (one == nil || p.Resize == 224) {
			one = p
		}
	}
	for _, p := range ps {
		if p.Model != "alexnet" || p.Batch == 1 {
			continue
		}
		switch {
		case large == nil, p.Batch == 128, large.Batch != 128 && p.Batch > large.Batch:
			large = p
		}
	}
	return one, large
}

// presentProfiles are those of ps that exist, in order.
func presentProfiles(ps ...*Profile) []*Profile {
	var out []*Profile
	for _, p := range ps {
		if p != nil {
			out = append(out, p)
		}
	}
	return out
}

type partSums struct{ params, paramBytes, actBytes, flops, ms float64 }

func sumParts(ls []profile.Layer) (conv, dense, total partSums) {
	cut := profile.ConvPartEnd(ls) // the convolutional part, the classifier from there on
	for i, l := range ls {
		p := &conv
		if i >= cut {
			p = &dense
		}
		for _, q := range []*partSums{p, &total} {
			q.params += float64(l.Params)
			q.paramBytes += float64(l.ParamBytes)
			q.actBytes += float64(l.ActBytes)
			q.flops += float64(l.FwdFLOPs + l.BwdFLOPs)
			q.ms += l.FwdBwdMs
		}
	}
	return
}

// share is a / total as a percentage, "–" without a total.
func share(a, total float64) string {
	if total <= 0 {
		return "–"
	}
	return fmtPct(a / total)
}

// ridge is the intensity where p's roofs meet, NaN where unmeasured.
func ridge(p *Profile) float64 { return nanIfZero(p.Roofs().Ridge()) }

// layerProfile is what the three sections of exercise 1 share: the profile
// shown and its sums.
type layerProfile struct {
	p                  *Profile
	conv, dense, total partSums
	where              string
	roofs              profile.Roofs
}

// profileShown picks the profile exercise 1's sections show, sets the
// section's status from it and says which it is; ok is false (and the
// section says what to run) when nothing was profiled.
func profileShown(b *builder, a *Answer) (*layerProfile, bool) {
	ps := b.res.Profiles
	if len(ps) == 0 {
		a.Status = NotMeasured
		a.Text = append(a.Text, "Not measured yet — run `alexbench profile alexnet --batch 128` (and --batch 1, 32 and 512 for the batch-size dependence); it writes results/profile/alexnet-b128.json.")
		return nil, false
	}
	p := mainProfile(ps)
	measured := 0
	for _, l := range p.Layers {
		if l.FwdMs > 0 {
			measured++
		}
	}
	a.Status = Measured
	if measured < len(p.Layers) {
		a.Status = Partial
	}
	lp := &layerProfile{p: p, roofs: p.Roofs()}
	lp.conv, lp.dense, lp.total = sumParts(p.Layers)
	lp.where = fmt.Sprintf("%s at batch %d, %d×%d inputs, %s, on %s (%s)", profileModelName(p), p.Batch, p.Resize, p.Resize, orDash(p.DType), orDash(p.Device), orDash(p.Backend))
	a.Text = append(a.Text, "Profile shown: "+lp.where+". Layers before the first flatten/dense layer count as convolutional (with their ReLU and pooling), the rest as fully connected.")
	return lp, true
}

// profileModelName names the profiled model; AlexNet at d2l's input size is
// d2l's AlexNet (the profiler builds the full-width net).
func profileModelName(p *Profile) string {
	if p.Model == "alexnet" && p.Resize != 224 && p.Resize > 0 {
		return fmt.Sprintf("alexnet (full width, %d×%d inputs instead of d2l's 224×224)", p.Resize, p.Resize)
	}
	return p.Model
}

// layerNames are the profile's layer names, the x axis of every per-layer chart.
func (lp *layerProfile) layerNames() []string {
	var names []string
	for _, l := range lp.p.Layers {
		names = append(names, l.Name)
	}
	return names
}

// perLayerBars is a grouped bar chart over every layer, each one labelled
// (the labels turned and small, so conv1 and fc8 keep theirs too).
func (lp *layerProfile) perLayerBars(name, title, axis string, a, b []float64, an, bn string) Figure {
	return Figure{Name: name, Title: title, Subtitle: fmt.Sprintf("%s, batch %d", lp.p.Model, lp.p.Batch), Height: 380, Tooltip: "axis",
		Panels: []Panel{{
			X: Axis{Kind: Category, Categories: lp.layerNames(), LabelRotate: 60, LabelFont: 10},
			Y: Axis{Kind: Linear, Name: axis},
			Series: []Series{
				{Name: an, Kind: Bar, Y: a},
				{Name: bn, Kind: Bar, Y: b},
			},
		}}}
}

func fwdFLOPs(ls []profile.Layer) float64 {
	var f float64
	for _, l := range ls {
		f += float64(l.FwdFLOPs)
	}
	return f
}

func nanIfZero(x float64) float64 {
	if x == 0 {
		return math.NaN()
	}
	return x
}

func fmtMs(ms float64) string { return fmtSeconds(ms / 1000) }

func msOrDash(ms float64) string {
	if ms <= 0 {
		return "not measured"
	}
	return fmt.Sprintf("%.3f", ms)
}

func shapeString(sh []int) string {
	parts := make([]string, len(sh))
	for i, d := range sh {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, "×")
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}

// joinList is "a; b; c", "none" for no items.
func joinList(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, "; ")
}
