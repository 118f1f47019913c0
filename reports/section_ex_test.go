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

// E7's augmentation: a real effect (normalization: the same curve 0.1 higher
// in every seed, +9.3 points after 4 epochs of the fixture's saturating curve)
// is a finding with its CI; no effect (shift: the same curve) is "~".
func TestEx7AugmentFromCells(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	i := 0
	for _, c := range []struct {
		augment   string
		normalize bool
		skill     float64
	}{{"none", false, 0.7}, {"shift", false, 0.7}, {"flip", false, 0.65}, {"none", true, 0.8}} {
		for seed := int64(1); seed <= 3; seed++ {
			cfg := quickConfig(t, "lenet", map[string]any{"seed": seed, "activation": "relu", "pool": "max", "lr": 0.1,
				"augment": c.augment, "normalize": c.normalize})
			writeFixtureCell(t, root, i, fixtureCell{matrix: "e7-augment", cfg: cfg, outcome: "done", skill: c.skill, secs: 1})
			i++
		}
	}
	writeJSONFile(t, filepath.Join(root, "e7-augment", "matrix.json"), map[string]any{"name": "e7-augment", "exercise": "E7", "description": "augmentation"})
	text := sectionText(t, renderFixture(t, root), "d2l-ex-7")
	wantAll(t, text,
		"Augmentation: shifts and flips of the training images",
		"Invariances (augmentation, within relu LeNet)",
		"better: normalized (+9.3 points (95% CI +9.3 to +9.3; paired t, p < 0.001, n = 3+3 paired)",
		"worse: augment flip (-4.7 points",
		"no difference these runs can tell: augment shift ~ (p = 1.00, n = 3+3 paired)",
		"augment shift vs normalization alone: -9.3 points",
	)
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
