package trainer

import (
	stdctx "context"
	"testing"

	"alexbench/harness/backend"
	"alexbench/harness/config"
)

// lr_decay "linear" reaches the train step with the schedule it promises: a
// run of three one-step epochs takes its first step at the full rate (so
// epoch 2's loss, read after one update, is bit-identical to a constant
// rate's) and its later steps at a smaller one (epoch 3's loss differs).
func TestLinearDecayStartsAtTheRateThenFalls(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two tiny LeNets")
	}
	set := loadRealData(t)
	be := goBackend(t)
	run := func(decay string) *Result {
		cfg := tinyLeNet()
		cfg.Epochs, cfg.BatchSize, cfg.TrainLimit, cfg.TestLimit, cfg.LR = 3, 64, 64, 256, 0.5
		cfg.LRDecay = decay
		res, err := Train(stdctx.Background(), specOf(t, cfg), Options{Backend: be, Info: backend.Info{Name: "go"}, Data: set})
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != OutcomeDone || len(res.Epochs) != 3 {
			t.Fatalf("lr_decay %s: %s %s, %d epochs", decay, res.Outcome, res.Error, len(res.Epochs))
		}
		return res
	}
	flat, decayed := run(config.LRDecayNone), run(config.LRDecayLinear)
	for i := range 3 {
		t.Logf("epoch %d train loss: constant %.6f, linear decay %.6f", i+1, flat.Epochs[i].TrainLoss, decayed.Epochs[i].TrainLoss)
	}
	if flat.Epochs[1].TrainLoss != decayed.Epochs[1].TrainLoss {
		t.Errorf("after one step the losses differ (%v vs %v): the first step must take the full rate",
			flat.Epochs[1].TrainLoss, decayed.Epochs[1].TrainLoss)
	}
	if flat.Epochs[2].TrainLoss == decayed.Epochs[2].TrainLoss {
		t.Errorf("after two steps the losses are equal (%v): the second step must take a smaller rate", flat.Epochs[2].TrainLoss)
	}
}
