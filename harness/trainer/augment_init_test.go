package trainer

import (
	stdctx "context"
	"testing"

	"alexbench/harness/backend"
)

// The augment and init keys reach the train step: augmentation changes what
// is learned but not the test batches' pipeline (both runs evaluate the same
// untouched images), and all-zero weights leave LeNet at chance because no
// unit ever differs from its neighbours.
func TestAugmentAndInitReachTraining(t *testing.T) {
	if testing.Short() {
		t.Skip("trains three tiny LeNets")
	}
	set := loadRealData(t)
	be := goBackend(t)
	run := func(augment, init string) *Result {
		cfg := tinyLeNet()
		// Two epochs (32 steps): after one, xavier's test accuracy still
		// depends on the seed and subset (0.16 to 0.29), after two it is 0.4–0.5.
		cfg.Epochs, cfg.TrainLimit, cfg.TestLimit = 2, 1024, 256
		cfg.Augment, cfg.Init = augment, init
		res, err := Train(stdctx.Background(), specOf(t, cfg), Options{Backend: be, Info: backend.Info{Name: "go"}, Data: set})
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != OutcomeDone {
			t.Fatalf("augment %s init %s: %s %s", augment, init, res.Outcome, res.Error)
		}
		return res
	}
	plain, flipped, zero := run("none", "xavier"), run("flip", "xavier"), run("none", "zeros")
	t.Logf("test acc: none/xavier %.3f, flip %.3f, zeros %.3f", plain.Final().TestAcc, flipped.Final().TestAcc, zero.Final().TestAcc)
	if plain.Final().TrainLoss == flipped.Final().TrainLoss {
		t.Errorf("augment flip trained exactly like none (loss %v): not applied", plain.Final().TrainLoss)
	}
	if zero.Final().TestAcc > 0.15 || plain.Final().TestAcc < 0.25 {
		t.Errorf("test acc: xavier %.3f, zeros %.3f; want zeros at chance and xavier above it",
			plain.Final().TestAcc, zero.Final().TestAcc)
	}
}
