//go:build legacy

package reports

import (
	"html"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"alexbench/harness/profile"
)

// sectionText is the text of the section with HTML id id, tags stripped.
func sectionText(t *testing.T, page []byte, id string) string {
	t.Helper()
	s := string(page)
	i := strings.Index(s, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no section %s", id)
	}
	s = s[i:]
	if j := strings.Index(s[len(id)+30:], `class="exercise"`); j > 0 {
		s = s[:j+len(id)+30]
	}
	s = regexp.MustCompile(`(?s)<script.*?</script>`).ReplaceAllString(s, "")
	s = regexp.MustCompile(`<[^>]+>`).ReplaceAllString(s, " ")
	return html.UnescapeString(regexp.MustCompile(`\s+`).ReplaceAllString(s, " "))
}

func wantAll(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("missing %q in:\n%s", w, text)
		}
	}
}

// E8: the control, a dropout-0 arm and breakers whose curves are fine,
// stuck at chance and diverged, three seeds each (real cell files).
func TestEx8FromCells(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	i := 0
	add := func(set map[string]any, outcome string, skill float64, seeds int) {
		for seed := int64(1); seed <= int64(seeds); seed++ {
			s := map[string]any{"seed": seed, "epochs": int64(12)}
			for k, v := range set {
				s[k] = v
			}
			writeFixtureCell(t, root, i, fixtureCell{matrix: "e8-overfit", cfg: quickConfig(t, "alexnet", s), outcome: outcome, skill: skill, secs: 1})
			i++
		}
	}
	add(nil, "done", 0.7, 3)
	add(map[string]any{"dropout": 0.0}, "done", 0.75, 3)
	add(map[string]any{"activation": "sigmoid", "epochs": int64(6)}, "done", 0.1, 3)
	add(map[string]any{"lr": 1.0, "epochs": int64(6)}, "diverged", 0.3, 3)
	add(map[string]any{"init": "normal", "epochs": int64(6)}, "done", 0.6, 3)
	add(map[string]any{"init": "zeros", "epochs": int64(6)}, "done", 0.1, 2)
	text := sectionText(t, renderFixture(t, root), "d2l-ex-8")
	wantAll(t, text,
		"AlexNet-quick (1× conv width, 4096-wide FC, 67×67 inputs; not d2l's full AlexNet) on 2000 training images",
		"sigmoid activations (stuck at chance, 3 of 3 runs)",
		"lr ×100 (1) (diverged, 3 of 3 runs)",
		"init zeros (stuck at chance, 2 of 2 runs)",
		"Still training in some runs: init normal (N(0, 0.01²) weights) (fine 3 of 3 runs",
		"the train–test gap opens at epoch",
		"After epoch 12 (the last that ≥ 3 runs of each arm reached)",
	)
	// Two seeds of init zeros: its comparison states no direction.
	if !strings.Contains(text, "init zeros 2 stuck at chance 2") || !strings.Contains(text, "not enough runs (n = 2): seeds ≥ 3 to compare") {
		t.Errorf("init zeros with 2 seeds:\n%s", text)
	}
}

// The profile sections read their figures from harness/profile: the page
// shows exactly what ChipFor and StepPeakFraction compute from the files.
func TestEx13Ex2Ex3FromProfiles(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	var files []profile.File
	for _, b := range []int{1, 128} {
		f := fixtureProfile(t, b)
		f.Ceilings.LaunchMs = 0.05
		for i := range f.Layers {
			f.Layers[i].InferMs = 0.9 * f.Layers[i].FwdMs
			f.Layers[i].InferLiveBytes = f.Layers[i].MinBytes - f.Layers[i].ParamBytes
			f.Totals.InferMs += f.Layers[i].InferMs
			f.Totals.FwdBwdMs += f.Layers[i].FwdBwdMs
			f.Totals.FwdFLOPs += f.Layers[i].FwdFLOPs
			f.Totals.BwdFLOPs += f.Layers[i].BwdFLOPs
			f.Totals.ParamBytes += f.Layers[i].ParamBytes
			f.Totals.ActBytes += f.Layers[i].ActBytes
			f.Totals.InferPeakBytes = max(f.Totals.InferPeakBytes, f.Layers[i].InferLiveBytes)
			if f.Layers[i].FwdFLOPs > 0 {
				f.Layers[i].Bound = "compute"
				if f.Layers[i].Intensity < f.Ceilings.Ridge() {
					f.Layers[i].Bound = "memory"
				}
			}
		}
		f.Totals.InferPeakBytes += f.Totals.ParamBytes
		f.Totals.TrainBytes = 2*f.Totals.ParamBytes + f.Totals.ActBytes
		if _, err := profile.Write(filepath.Join(root, "profile"), &f); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	page := renderFixture(t, root)
	big := &files[1]
	tr, _ := profile.ChipFor(big, profile.Training)
	in, _ := profile.ChipFor(&files[0], profile.Inference)
	ex2 := sectionText(t, page, "d2l-ex-2")
	wantAll(t, ex2, "training at batch 128 on CPU (2 cores)", "a 2× compute chip saves", fmtPct(tr.Compute2xSaves()), fmtPct(tr.Bandwidth2xSaves()),
		"inference at batch 1", fmtPct(in.Bandwidth2xSaves()))
	if strings.Contains(ex2, "d2l's batch 128 is not among the profiles") {
		t.Error("batch 128 was profiled")
	}
	ex13 := sectionText(t, page, "d2l-ex-1-3")
	wantAll(t, ex13, "Training vs inference at batch 128", fmtMiB(float64(big.Totals.TrainBytes)/mib), fmtMiB(float64(big.Totals.InferPeakBytes)/mib),
		"Inference is often served at batch 1, training at batch 128")
	ex3 := sectionText(t, page, "d2l-ex-3")
	wantAll(t, ex3, fmtPct(profile.StepPeakFraction(big))+" of the", "in launch-bound layers")
}
