// Package diagnose says when a finished run has learned nothing worth
// comparing (its test accuracy stayed within NearChance of guessing, or its
// loss diverged) and names the likely cause from its config. `alexbench
// train` prints it as a warning line (and in --json); the report lists such
// cells with the same words, and counts them as a rate beside estimates
// that include them (a run at chance is an outcome, not missing data).
//
// Chance is the accuracy of always guessing the most common class of the
// test images a run was evaluated on: its summary's test_majority_rate. A
// stratified test subset of the balanced test file makes it 0.10; a run that
// did not record it (older trees, whose limits took a file's first images)
// falls back to Chance.
package diagnose

import (
	"fmt"
	"math"

	"alexbench/harness/config"
)

// Chance is the accuracy of guessing among Fashion-MNIST's ten balanced
// classes, the chance of a run whose test majority-class rate is unknown; a
// run whose test accuracy is within NearChance of its chance has not learned.
const (
	Chance     = 0.10
	NearChance = 0.05
)

// ChanceOf is the chance accuracy of a run whose test images' majority-class
// rate is majority: that rate, or Chance when it is unknown (0 or NaN).
func ChanceOf(majority float64) float64 {
	if math.IsNaN(majority) || majority <= 0 {
		return Chance
	}
	return majority
}

// IsNearChance tells whether an accuracy is within NearChance of chance.
func IsNearChance(acc, chance float64) bool {
	return !math.IsNaN(acc) && math.Abs(acc-chance) <= NearChance+1e-12
}

// GuessLoss is the cross-entropy of guessing uniformly among ten classes,
// ln 10: a run whose final train loss is still at or above it has not
// learned, whatever a noisy test accuracy says.
var GuessLoss = math.Log(10)

// NeverLearned tells whether a finished run learned nothing: its test
// accuracy is near chance (ChanceOf its test majority-class rate), or its
// train loss never went below the loss of guessing.
func NeverLearned(testAcc, trainLoss, chance float64) bool {
	return IsNearChance(testAcc, chance) || (!math.IsNaN(trainLoss) && trainLoss >= GuessLoss)
}

// Run is what a diagnosis looks at.
type Run struct {
	Config   config.Config
	Outcome  string  // done | diverged | oom | failed
	TestAcc  float64 // final; NaN when not measured
	TrainAcc float64
	// TrainLoss is the final train loss (NaN when not measured): at or
	// above ln 10 the run never learned.
	TrainLoss float64
	// DivergedEpoch is the epoch whose loss became NaN/Inf (0: unknown).
	DivergedEpoch int
	// TestMajorityRate is the largest class share among the test images the
	// run was evaluated on (summary.json's test_majority_rate): its chance.
	// 0: not recorded, and chance is Chance.
	TestMajorityRate float64
	// Baseline is the rate the run's learning rate is compared with; nil:
	// the model's registry default, which is what `alexbench train` uses
	// unless told otherwise. A report sets it to the rate the run's own
	// experiment trains at, since a matrix may never have used the default.
	Baseline *Baseline
}

// Chance is the run's chance accuracy: ChanceOf its test majority-class rate.
func (r Run) Chance() float64 { return ChanceOf(r.TestMajorityRate) }

// chanceWords names the run's chance: "0.10" when it fell back to Chance,
// "0.13, the test images' majority-class rate" when the run recorded it.
func (r Run) chanceWords() string {
	if ChanceOf(r.TestMajorityRate) != r.TestMajorityRate {
		return fmt.Sprintf("%.2f", Chance)
	}
	return fmt.Sprintf("%.2f, the test images' majority-class rate", r.TestMajorityRate)
}

// Baseline is a learning rate to compare a run's with.
type Baseline struct {
	// LR is the rate; 0 where the experiment has no one rate to compare
	// with: the cause then states the run's rate and steps alone.
	LR float64
	// What names it after its number, as the cause reads: "most alexnet
	// relu runs of this section train at".
	What string
}

// Kinds of finding.
const (
	KindDiverged   = "diverged"
	KindNearChance = "near chance"
)

// Finding is a run that must not be read as a result, and why.
type Finding struct {
	Kind  string // KindDiverged or KindNearChance
	What  string // "loss became NaN/Inf in epoch 1", "test acc 0.105 is within 0.05 of chance (0.10, the test images' majority-class rate)"
	Cause string // the likely cause, from the config
}

func (f Finding) String() string { return f.What + "; likely cause: " + f.Cause }

// Check diagnoses a run; ok is false when there is nothing to say (it
// learned, or it did not finish for another reason: OOM and failures carry
// their own error).
func Check(r Run) (f Finding, ok bool) {
	c := r.Config
	switch {
	case r.Outcome == "diverged":
		f = Finding{Kind: KindDiverged, What: "loss became NaN/Inf"}
		if r.DivergedEpoch > 0 {
			f.What += fmt.Sprintf(" in epoch %d", r.DivergedEpoch)
		}
		f.Cause = divergedCause(c, r.Baseline)
		return f, true
	case r.Outcome == "done" && IsNearChance(r.TestAcc, r.Chance()):
		f = Finding{Kind: KindNearChance, What: fmt.Sprintf("test acc %.3f is within %.2f of chance (%s)", r.TestAcc, NearChance, r.chanceWords())}
		f.Cause = chanceCause(c, r)
		return f, true
	case r.Outcome == "done" && NeverLearned(r.TestAcc, r.TrainLoss, r.Chance()):
		f = Finding{Kind: KindNearChance, What: fmt.Sprintf("its last epoch's train loss, %.4f, is still at or above ln 10 (%.4f), the loss of guessing, though test acc is %.3f", r.TrainLoss, GuessLoss, r.TestAcc)}
		f.Cause = chanceCause(c, r)
		return f, true
	}
	return Finding{}, false
}

// Steps is the number of optimizer steps the config trains for (the last
// partial batch of an epoch counts).
func Steps(c config.Config) int {
	n := c.TrainLimit
	if n <= 0 {
		n = 60000
	}
	if c.BatchSize <= 0 {
		return 0
	}
	return c.Epochs * ((n + c.BatchSize - 1) / c.BatchSize)
}

// rateNote compares the run's rate with its baseline (the one its model
// and activation default to, unless the run names another), "" when they
// agree or there is none to compare with.
func rateNote(c config.Config, b *Baseline) (note string, ratio float64) {
	lr := c.EffectiveLR()
	ref, what := config.DefaultLR(c.Model, c.Activation), fmt.Sprintf("%s %s trains at by default", c.Model, c.Activation)
	if b != nil {
		ref, what = b.LR, b.What
	}
	if ref <= 0 || lr <= 0 {
		return "", 1
	}
	ratio = lr / ref
	if ratio > 0.99 && ratio < 1.01 {
		return "", 1
	}
	scaled := ""
	if c.LRScaling == "linear" && c.LR != lr {
		scaled = fmt.Sprintf(" (lr %g scaled linearly to batch %d)", c.LR, c.BatchSize)
	}
	return fmt.Sprintf("lr %g%s is %s the %g %s", lr, scaled, times(ratio), ref, what), ratio
}

func times(r float64) string {
	if r >= 1 {
		return fmt.Sprintf("%.3g× above", r)
	}
	return fmt.Sprintf("%.3g× below", 1/r)
}

func divergedCause(c config.Config, b *Baseline) string {
	if note, ratio := rateNote(c, b); note != "" && ratio > 1 {
		return note + "; lower it"
	}
	return fmt.Sprintf("the learning rate (lr %g) is too high for this model and batch size (%d); lower it", c.EffectiveLR(), c.BatchSize)
}

// sigmoidPlateau is how many steps sigmoid LeNet at d2l's lr 0.9 sits at
// chance on raw inputs before it starts learning: measured 300–600 steps at
// batch 128 and 256 over seeds 1–3 (docs/BENCHMARKS.md), fewer with
// normalized inputs.
const sigmoidPlateau = 600

func chanceCause(c config.Config, r Run) string {
	steps := Steps(c)
	note, ratio := rateNote(c, r.Baseline)
	switch {
	case note != "" && (ratio >= 3 || ratio <= 1.0/3):
		return note + fmt.Sprintf(" (trained %d steps)", steps)
	case c.Activation == "sigmoid" && steps < 2*sigmoidPlateau:
		cause := fmt.Sprintf("sigmoid activations sit on a plateau at chance for their first few hundred steps (LeNet at lr 0.9: 300–600 on raw inputs); this run trained %d steps: train longer", steps)
		if !c.Normalize {
			cause += " or normalize the inputs"
		}
		return cause
	case steps < 100:
		return fmt.Sprintf("too few steps (%d: %d epochs of %s at batch %d) to learn", steps, c.Epochs, trainImages(c), c.BatchSize)
	// A training subset is stratified from a balanced file: its chance is
	// Chance, within one image per class.
	case !math.IsNaN(r.TrainAcc) && IsNearChance(r.TrainAcc, Chance):
		return fmt.Sprintf("it did not learn the training set either (train acc %.3f in %d steps at lr %g): the learning rate or the initialization does not suit this model", r.TrainAcc, steps, c.EffectiveLR())
	}
	return fmt.Sprintf("it fits the training set (train acc %.3f) but predicts no better than chance on the test set: overfitting a small subset, or a train/test mismatch in preprocessing", r.TrainAcc)
}

func trainImages(c config.Config) string {
	if c.TrainLimit > 0 {
		return fmt.Sprint(c.TrainLimit) + " images"
	}
	return "60000 images"
}
