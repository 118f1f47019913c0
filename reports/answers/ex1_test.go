package answers

import (
	"math"
	"strings"
	"testing"

	"alexbench/harness/profile"
	"alexbench/reports/internal/fixture"
)

func TestEx1FromProfiles(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(p *profile.File)
		check func(t *testing.T, ex11, ex12, ex13 *Answer)
	}{
		{
			name: "measured AlexNet at batch 128",
			edit: func(p *profile.File) {},
			check: func(t *testing.T, ex11, ex12, ex13 *Answer) {
				// harness/profile's words: the one text of these answers.
				wantText(t, ex11, "Profile shown: alexnet at batch 128, 224×224 inputs, float32, on CPU (2 cores) (go (SimpleGo))",
					"the fully connected part holds 92.0 % of the parameter bytes")
				wantText(t, ex12, "% of it in the convolutional part")
				if ex11.Status != Measured || ex12.Status != Measured {
					t.Errorf("status %s, %s; want measured", ex11.Status, ex12.Status)
				}
				// No inference pass in this profile: 1.3 says so and is partial.
				wantText(t, ex13, "The inference pass was not timed in profile/alexnet-b128.json")
				if ex13.Status != Partial {
					t.Errorf("1.3 status %s, want partial", ex13.Status)
				}
				mem := findFigure(ex11, "memory")
				if mem == nil {
					t.Fatal("1.1 has no memory figure")
				}
				if mem.Height != 380 || mem.Subtitle != "alexnet, batch 128" || len(mem.Panels) != 1 {
					t.Errorf("memory figure %+v", mem)
				}
				x, ser := mem.Panels[0].X, mem.Panels[0].Series
				if x.Kind != Category || len(x.Categories) != 21 || x.Categories[0] != "conv1" || x.Categories[20] != "fc8" || x.LabelRotate != 60 {
					t.Errorf("memory x axis %+v", x)
				}
				if len(ser) != 2 || ser[0].Name != "parameters" || ser[1].Name != "activations kept" || ser[0].Kind != Bar {
					t.Fatalf("memory series %+v", ser)
				}
				var sum float64
				for _, v := range ser[0].Y {
					sum += v
				}
				if math.Abs(sum-178.39) > 0.01 { // d2l's AlexNet: 46.8 M float32 parameters
					t.Errorf("parameter MiB sum to %.2f", sum)
				}
				for _, name := range []string{"flops", "time"} {
					if f := findFigure(ex12, name); f == nil || len(f.Panels[0].Series) != 2 || len(f.Panels[0].Series[1].Y) != 21 {
						t.Errorf("1.2 figure %s: %+v", name, f)
					}
				}
				ts := tables(ex12)
				if len(ts) != 1 || len(ts[0].Rows) != 22 || ts[0].Rows[21][0] != "total" || ts[0].Rows[0][10] == "not measured" {
					t.Errorf("1.2 per-layer table %+v", ts)
				}
				roof := findFigure(ex13, "roofline")
				if roof == nil {
					t.Fatal("1.3 has no roofline")
				}
				if !strings.Contains(roof.Subtitle, "ridge at 10.0 FLOP/byte") {
					t.Errorf("roofline subtitle %q", roof.Subtitle)
				}
				p := roof.Panels[0]
				if p.X.Kind != Log || !p.X.Fixed || !(p.X.Min <= 10 && 10 <= p.X.Max) {
					t.Errorf("roofline x axis %+v", p.X)
				}
				pts, memRoof, comp := p.Series[0], p.Series[1], p.Series[2]
				if !pts.LabelPoints || len(pts.PointNames) != len(pts.X) || len(pts.X) == 0 {
					t.Errorf("roofline points %+v", pts)
				}
				for i, x := range pts.X {
					if x < p.X.Min || x > p.X.Max || pts.Y[i] < p.Y.Min || pts.Y[i] > p.Y.Max {
						t.Errorf("layer %s at (%g, %g) outside the axes", pts.PointNames[i], x, pts.Y[i])
					}
				}
				if memRoof.X[1] != 10 || comp.X[0] != 10 || comp.Y[0] != 200 || memRoof.Name != "memory roof (20 GB/s)" {
					t.Errorf("roofs %+v / %+v", memRoof, comp)
				}
			},
		},
		{
			name: "no ceilings: no roofline, no bound claimed",
			edit: func(p *profile.File) { p.Ceilings = profile.Ceilings{} },
			check: func(t *testing.T, ex11, ex12, ex13 *Answer) {
				wantText(t, ex13, "the profile has no measured ceilings, so no layer is classified")
				if findFigure(ex13, "roofline") != nil {
					t.Error("a roofline without ceilings")
				}
				if textHas(ex13, "memory-bound:") {
					t.Errorf("a bound claimed without ceilings:\n%s", strings.Join(ex13.Text, "\n"))
				}
			},
		},
		{
			name: "layers not timed: partial, no time claims",
			edit: func(p *profile.File) {
				for i := range p.Layers {
					p.Layers[i].FwdMs, p.Layers[i].FwdBwdMs = 0, 0
				}
			},
			check: func(t *testing.T, ex11, ex12, ex13 *Answer) {
				for _, a := range []*Answer{ex11, ex12, ex13} {
					if a.Status != Partial {
						t.Errorf("%s status %s, want partial", a.ID, a.Status)
					}
					for _, s := range []string{"layer by layer, the convolutional part takes", "Training vs inference: summed over layers"} {
						if textHas(a, s) {
							t.Errorf("%s claims %q with no layer timed", a.ID, s)
						}
					}
				}
				if ts := tables(ex12); len(ts) == 0 || ts[0].Rows[0][10] != "not measured" {
					t.Errorf("1.2's table does not say the layers were not timed: %+v", ts)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := fixture.Profile(t, 128)
			c.edit(&p)
			as := buildProfiles(t, p)
			c.check(t, answerOf(t, as, "d2l-ex-1-1"), answerOf(t, as, "d2l-ex-1-2"), answerOf(t, as, "d2l-ex-1-3"))
		})
	}
}

// With no profile, every profile section says what to run.
func TestProfileSectionsWithoutProfiles(t *testing.T) {
	as := buildProfiles(t)
	for _, id := range []string{"d2l-ex-1-1", "d2l-ex-1-2", "d2l-ex-1-3", "d2l-ex-2", "d2l-ex-3"} {
		a := answerOf(t, as, id)
		if a.Status != NotMeasured || !textHas(a, "run `alexbench profile alexnet") {
			t.Errorf("%s: %s, %q", id, a.Status, a.Text)
		}
		if len(a.Comparisons) != 0 || len(tables(a)) != 0 {
			t.Errorf("%s has evidence without a profile", id)
		}
	}
	wantText(t, answerOf(t, as, "d2l-ex-1-3"), "Training vs inference: no AlexNet profile")
}

// The profile sections read their figures from harness/profile: the
// answers state exactly what ChipFor and StepPeakFraction compute from the
// files.
func TestEx13Ex2Ex3FromProfiles(t *testing.T) {
	var files []profile.File
	for _, b := range []int{1, 128} {
		f := fixture.Profile(t, b)
		fixture.WithInference(&f)
		files = append(files, f)
	}
	as := buildProfiles(t, files...)
	big := &files[1]
	tr, _ := profile.ChipFor(big, profile.Training)
	in, _ := profile.ChipFor(&files[0], profile.Inference)

	ex2 := answerOf(t, as, "d2l-ex-2")
	wantText(t, ex2, "training at batch 128 on CPU (2 cores)", "a 2× compute chip saves", fmtPct(tr.Compute2xSaves()), fmtPct(tr.Bandwidth2xSaves()),
		"inference at batch 1")
	if !textHas(ex2, "inference at batch 1 on CPU (2 cores): of ") || !textHas(ex2, "a 2× bandwidth chip "+fmtMs(in.MemoryMs/2)+" ("+fmtPct(in.Bandwidth2xSaves())+")") {
		t.Errorf("exercise 2 misreads batch 1's inference chip:\n%s", strings.Join(ex2.Text, "\n"))
	}
	if textHas(ex2, "d2l's batch 128 is not among the profiles") {
		t.Error("batch 128 was profiled")
	}
	if ts := tables(ex2); ex2.Status != Measured || len(ts) != 1 || len(ts[0].Rows) != 4 || ts[0].Rows[2][1] != "training" || ts[0].Rows[2][6] != fmtPct(tr.Compute2xSaves()) {
		t.Errorf("exercise 2: %s, %+v", ex2.Status, ts)
	}

	ex13 := answerOf(t, as, "d2l-ex-1-3")
	wantText(t, ex13, "Training vs inference at batch 128", fmtMiB(float64(big.Totals.TrainBytes)/mib), fmtMiB(float64(big.Totals.InferPeakBytes)/mib),
		"Inference is often served at batch 1, training at batch 128", "Batch-size dependence (alexnet;")
	if ex13.Status != Measured {
		t.Errorf("1.3 status %s", ex13.Status)
	}
	// The bandwidth half's blocks, then the inference half's, in page order.
	var kinds []string
	for _, b := range ex13.Blocks {
		switch {
		case len(b.Figures) > 0:
			kinds = append(kinds, "figure")
		case b.Note != "":
			kinds = append(kinds, "note")
		case b.Table != nil:
			kinds = append(kinds, "table: "+b.Table.Caption)
		case b.Heading != "":
			kinds = append(kinds, "heading: "+b.Heading)
		}
	}
	want := []string{"figure", "note", "table: alexnet: FLOP/byte and bound per batch size", "heading: Training vs inference", "table: AlexNet's training and inference passes, summed layer by layer"}
	if strings.Join(kinds, " | ") != strings.Join(want, " | ") {
		t.Errorf("1.3 blocks:\n%s\nwant\n%s", strings.Join(kinds, " | "), strings.Join(want, " | "))
	}

	ex3 := answerOf(t, as, "d2l-ex-3")
	wantText(t, ex3, fmtPct(profile.StepPeakFraction(big))+" of the", "in launch-bound layers",
		"Exercise 5.2's 28×28 models are not measured")
	if len(ex3.Comparisons) != 0 {
		t.Errorf("exercise 3 compares with no trained cells: %+v", ex3.Comparisons)
	}
}

// On the committed real tree (AlexNet profiled at batch 1 and 8 on a CPU),
// exercise 2 asks for d2l's batch 128 and the numbers are the profile's.
func TestProfileSectionsRealQuick(t *testing.T) {
	as := Build(realQuickResults(t))
	ex11 := answerOf(t, as, "d2l-ex-1-1")
	wantText(t, ex11, "Profile shown: alexnet at batch 8, 224×224 inputs",
		"the fully connected part holds 92.0 % of the parameter bytes (164.2 MiB of 178.4 MiB; fc6 alone 56.1 %)")
	ex2 := answerOf(t, as, "d2l-ex-2")
	wantText(t, ex2, "d2l's batch 128 is not among the profiles here",
		"training at batch 8 on CPU (2 cores): of 334 ms measured, a 2× compute chip saves 127 ms (38%), a 2× bandwidth chip 39 ms (12%): buy 2× compute for this use.")
	ex13 := answerOf(t, as, "d2l-ex-1-3")
	wantText(t, ex13, "Inference per image: 32 ms at batch 1, 16 ms at batch 8.")
	if r := findFigure(ex13, "roofline"); r == nil || r.Panels[0].X.Min != 0.01 || r.Panels[0].X.Max != 1e4 || r.Panels[0].Y.Min != 0.1 || r.Panels[0].Y.Max != 1000 {
		t.Errorf("roofline axes: %+v", r)
	}
}
