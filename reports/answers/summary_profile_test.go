package answers

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"alexbench/harness/config"
	"alexbench/harness/profile"
	"alexbench/harness/results"
	"alexbench/reports/internal/fixture"
)

// The sections whose Summary and Glance summary_profile.go, s8_1.go and
// ex3.go write.
var summarySections = []string{"d2l-8-1", "d2l-ex-1-1", "d2l-ex-1-2", "d2l-ex-1-3", "d2l-ex-2", "d2l-ex-3"}

// On the committed real tree: each answer opens with the numbers its
// section shows, at the scale and on the device they were measured.
func TestSummariesRealQuick(t *testing.T) {
	as := Build(realQuickResults(t))
	want := map[string][]string{
		"d2l-8-1": {"Measured on the quick profile, not d2l's scale: AlexNet-quick (¼ width, 512-wide FC, 67×67, 0.54 M params; d2l's: 46.8 M), 3 epochs on 6144 training images — a trend, not d2l's numbers.",
			"test accuracy 0.682 (95 % CI 0.600–0.763)", "d2l's AlexNet reached 0.883", "not comparable"},
		"d2l-ex-1-1": {"the fully connected layers hold 92.0 % of the parameter bytes (164.2 MiB of 178.4 MiB", "the convolutional layers 98.6 % of the activations",
			"activations outweigh the weights from batch 36 on", "At d2l's batch 128 the activations are 648 MiB, 3.63× the weights", "d2l's “164 MB” for fc6 and fc7 is their 164.0 MiB",
			"the profile shown is batch 8 on CPU (2 cores)"},
		"d2l-ex-1-2": {"the convolutions do 95.4 % of the forward + backward FLOPs", "Measured at batch 8 on CPU (2 cores)", "the convolutions take 81.3 % of the forward + backward time (271 ms of 334 ms)",
			"The fully connected layers take 18.7 % of the time for 4.6 % of the FLOPs because at batch 8 fc6, fc7 and fc8 are memory-bound"},
		"d2l-ex-1-3": {"the compute-bound layers are the convolutions (conv1–conv5)", "fc6 and fc7 turn compute-bound from batch 33, fc8 never",
			"at least 399 MiB against inference's 195 MiB (2.04×); it also does 2.96× the forward's FLOPs", "61% of the training time at batch 1 and 24% at batch 8",
			"d2l's batch 128 was not profiled"},
		"d2l-ex-2": {"for training at batch 8, 2× compute saves 38% of the measured pass and 2× bandwidth 12%", "for batch-1 inference, the latency-bound case, 2× compute saves 17% and 2× bandwidth 33%",
			"a chip for training at batch 8 should spend it on compute and one for latency-bound inference on bandwidth", "d2l's batch 128 was not profiled"},
		"d2l-ex-3": {"fully connected layers hold 92.0 % of the parameters but do 4.6 % of the FLOPs", "AlexNet-quick (¼ width",
			"higher: +18.6 points, 95 % CI +14.0 to +23.2 — decided", "1.14× the accuracy per FLOP and 1.62× per parameter", "not tested, so they are not decided"},
	}
	glances := map[string]string{
		"d2l-8-1":    "AlexNet-quick: test acc 0.682 (d2l: 0.883 at full scale, not comparable)",
		"d2l-ex-1-1": "FC layers: 92.0 % of params; convs: 98.6 % of activations, which outweigh the weights from batch 36 (128: 3.63×)",
		"d2l-ex-1-2": "Convs: 95.4 % of the FLOPs and 81.3 % of the measured time (batch 8 on CPU (2 cores))",
		"d2l-ex-2":   "Training (batch 8): 2× compute (38% vs 12%); inference (batch 1): 2× bandwidth (33% vs 17%); batch 128 not profiled",
	}
	for _, id := range summarySections {
		a := answerOf(t, as, id)
		wantInText(t, a.Summary, want[id]...)
		if g, ok := glances[id]; ok && a.Glance != g {
			t.Errorf("%s glance %q, want %q", id, a.Glance, g)
		}
		if a.Glance == "" || len([]rune(a.Glance)) > 120 {
			t.Errorf("%s glance %q: empty or over 120 characters", id, a.Glance)
		}
	}
}

// profileDirectionWord matches a word that states a direction.
var profileDirectionWord = regexp.MustCompile(`(?i)\b(raises|lowers|faster|slower|higher|lower|better|worse|overfits?|overfitting|above|below)\b`)

// checkDirections fails when a section's Summary or Glance states a
// direction that none of its comparisons decided (higher or lower).
func checkDirections(t *testing.T, tree string, as []*Answer) {
	t.Helper()
	for _, id := range summarySections {
		a := answerOf(t, as, id)
		backed := false
		for _, c := range a.Comparisons {
			if c.Verdict == Higher || c.Verdict == Lower {
				backed = true
			}
		}
		for _, s := range []string{a.Summary, a.Glance} {
			if w := profileDirectionWord.FindString(s); w != "" && !backed {
				t.Errorf("%s, %s: %q with no decided comparison:\n%s", tree, id, w, s)
			}
		}
	}
}

// No direction word without a comparison that decided one, on every tree
// these sections are built from: the real one, profiles alone, a run at
// chance leaving exercise 3 without enough runs, and §8.1 at d2l's scale
// with each verdict.
func TestSummaryDirectionWords(t *testing.T) {
	checkDirections(t, "real-quick", Build(realQuickResults(t)))

	var files []profile.File
	for _, b := range []int{1, 128} {
		f := fixture.Profile(t, b)
		fixture.WithInference(&f)
		files = append(files, f)
	}
	checkDirections(t, "profiles", buildProfiles(t, files...))
	checkDirections(t, "no profiles", buildProfiles(t))

	for _, skill := range []s81Skill{equivalentSkill, lowerSkill, undecidedSkill, oneSeed} {
		checkDirections(t, skill.name, Build(loadTree(t, s81Tree(t, skill))))
	}
}

// s81Skill is the test accuracy each seed of a d2l-scale §8.1 fixture
// saturates at.
type s81Skill struct {
	name   string
	skills []float64
}

var (
	equivalentSkill = s81Skill{"equivalent", []float64{0.8841, 0.8841, 0.8841}} // ≈ d2l's 0.883
	lowerSkill      = s81Skill{"lower", []float64{0.80, 0.80, 0.80}}
	undecidedSkill  = s81Skill{"undecided", []float64{0.80, 0.88, 0.96}}
	oneSeed         = s81Skill{"one seed", []float64{0.88}}
)

// s81Tree writes §8.1's AlexNet at d2l's own scale (the full profile),
// one cell per skill.
func s81Tree(t *testing.T, s s81Skill) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "results")
	for i, skill := range s.skills {
		c, err := config.Default("alexnet")
		if err != nil {
			t.Fatal(err)
		}
		c.Seed, c.Backend = int64(i+1), "go"
		fixture.WriteCell(t, root, i, fixture.Cell{Matrix: "s8_1-alexnet", Config: c, Outcome: "done", Skill: skill, EpochSeconds: 300, Profile: "full"})
	}
	fixture.WriteMatrix(t, root, results.MatrixRecord{Name: "s8_1-alexnet", Exercise: "s8.1"})
	return root
}

// At d2l's scale §8.1's answer tests d2l's figure and says what the test
// decided: the same within ±1 point, below it with its CI, or that the run
// cannot tell.
func TestS81SummaryAtD2LScale(t *testing.T) {
	cases := []struct {
		skill   s81Skill
		verdict Verdict
		summary []string
		glance  string
	}{
		{equivalentSkill, Equivalent, []string{"with d2l's recipe reaches test accuracy 0.88", "d2l's 0.883 reproduced: the same within ±1 point (", "d2l: 3942 on its GPU, different hardware"},
			"the same as d2l's 0.883 within ±1 point"},
		{lowerSkill, Lower, []string{"below d2l's 0.883: -8.", "95 % CI -8."}, "below d2l's 0.883 (-8."},
		{undecidedSkill, Undecided, []string{"against d2l's 0.883 undecided: this run cannot tell — it detects only differences beyond ±"}, "vs d2l's 0.883: undecided"},
		{oneSeed, NotEnoughRuns, []string{"against d2l's 0.883: not enough runs (n = 1)"}, "vs d2l's 0.883: not enough runs"},
	}
	for _, c := range cases {
		t.Run(c.skill.name, func(t *testing.T) {
			a := sectionAnswer(t, s81Tree(t, c.skill), "d2l-8-1")
			if len(a.Comparisons) != 1 || a.Comparisons[0].Verdict != c.verdict {
				t.Fatalf("comparisons %+v, want one %s", a.Comparisons, c.verdict)
			}
			wantInText(t, a.Summary, c.summary...)
			if !strings.Contains(a.Glance, c.glance) || strings.Contains(a.Summary, "not comparable") {
				t.Errorf("glance %q (want %q), summary %q", a.Glance, c.glance, a.Summary)
			}
		})
	}
}

// Profiles at d2l's batch 128 and batch 1: exercise 2 names the use each
// chip serves without asking for batch 128, and 1.1 reads batch 128 off the
// profile itself.
func TestProfileSummariesAtBatch128(t *testing.T) {
	var files []profile.File
	for _, b := range []int{1, 128} {
		f := fixture.Profile(t, b)
		fixture.WithInference(&f)
		files = append(files, f)
	}
	as := buildProfiles(t, files...)
	ex2 := answerOf(t, as, "d2l-ex-2")
	tr, _ := profile.ChipFor(&files[1], profile.Training)
	wantInText(t, ex2.Summary, "for training at batch 128, 2× compute saves "+fmtPct(tr.Compute2xSaves()), "batch-1 inference, the latency-bound case")
	if strings.Contains(ex2.Summary+ex2.Glance, "not profiled") {
		t.Errorf("batch 128 was profiled: %q / %q", ex2.Summary, ex2.Glance)
	}
	ex11 := answerOf(t, as, "d2l-ex-1-1")
	wantInText(t, ex11.Summary, "At d2l's batch 128 the activations are", "the profile shown is batch 128 on CPU (2 cores)")
	if strings.Contains(ex11.Summary, "the profile's,") {
		t.Errorf("1.1 restates batch 128 as another batch: %q", ex11.Summary)
	}
	for _, id := range summarySections[1:] {
		if a := answerOf(t, as, id); a.Summary == "" || a.Glance == "" {
			t.Errorf("%s: no summary or glance from the profiles alone", id)
		}
	}
	// No profile and no runs: nothing to summarize, the render says what to run.
	for _, a := range buildProfiles(t) {
		for _, id := range summarySections {
			if a.ID == id && (a.Summary != "" || a.Glance != "") {
				t.Errorf("%s not measured but summarized: %q / %q", id, a.Summary, a.Glance)
			}
		}
	}
}

// A run that failed (it never finished, unlike one at chance, which
// counts) leaves exercise 3 without enough runs to compare: the answer says
// so and states no direction.
func TestEx3SummaryNotEnoughRuns(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	f := fixture.Profile(t, 128)
	fixture.WithInference(&f)
	if _, err := profile.Write(filepath.Join(root, "profile"), &f); err != nil {
		t.Fatal(err)
	}
	for seed := int64(1); seed <= 3; seed++ {
		outcome := "done"
		if seed == 3 {
			outcome = "failed"
		}
		i := 2 * int(seed)
		fixture.WriteCell(t, root, i, fixture.Cell{Matrix: "e0-alexnet", Config: fixture.QuickConfig(t, "alexnet", map[string]any{"seed": seed}), Outcome: outcome, Skill: 0.8, EpochSeconds: 30})
		fixture.WriteCell(t, root, i+1, fixture.Cell{Matrix: "e2-28x28", Config: fixture.QuickConfig(t, "cnn28", map[string]any{"seed": seed}), Outcome: "done", Skill: 0.85, EpochSeconds: 6})
	}
	fixture.WriteMatrix(t, root, results.MatrixRecord{Name: "e0-alexnet", Exercise: "s8.1"})
	fixture.WriteMatrix(t, root, results.MatrixRecord{Name: "e2-28x28", Exercise: "5.2"})
	as := Build(loadTree(t, root))
	ex3 := answerOf(t, as, "d2l-ex-3")
	wantInText(t, ex3.Summary, "not enough runs (n = 2", "not tested, so they are not decided", "Measured on the quick profile")
	if !strings.Contains(ex3.Glance, "not enough runs") {
		t.Errorf("glance %q", ex3.Glance)
	}
	checkDirections(t, "ex3 with a failed run", as)
}
