package trainer

import (
	"encoding/json"

	"alexbench/internal/num"
)

// epochJSON is Epoch as metrics.jsonl and summary.json hold it: a diverged
// loss (NaN, ±Inf) is null, and null reads back as NaN, never as 0.
type epochJSON struct {
	Epoch          int     `json:"epoch"`
	TrainLoss      num.Num `json:"train_loss"`
	TrainAcc       num.Num `json:"train_acc"`
	TestAcc        num.Num `json:"test_acc"`
	ExamplesPerSec num.Num `json:"examples_per_sec"`
	EpochSeconds   num.Num `json:"epoch_seconds"`
	TrainSeconds   num.Num `json:"train_seconds"`
	EvalSeconds    num.Num `json:"eval_seconds"`
}

// MarshalJSON writes non-finite numbers as null.
func (e Epoch) MarshalJSON() ([]byte, error) {
	return json.Marshal(epochJSON{e.Epoch, num.Finite(e.TrainLoss), num.Finite(e.TrainAcc), num.Finite(e.TestAcc),
		num.Finite(e.ExamplesPerSec), num.Finite(e.EpochSeconds), num.Finite(e.TrainSeconds), num.Finite(e.EvalSeconds)})
}

// UnmarshalJSON reads null (and a field that is absent) as NaN.
func (e *Epoch) UnmarshalJSON(b []byte) error {
	j := epochJSON{TrainLoss: num.NaN(), TrainAcc: num.NaN(), TestAcc: num.NaN(), ExamplesPerSec: num.NaN(),
		EpochSeconds: num.NaN(), TrainSeconds: num.NaN(), EvalSeconds: num.NaN()}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*e = Epoch{j.Epoch, float64(j.TrainLoss), float64(j.TrainAcc), float64(j.TestAcc), float64(j.ExamplesPerSec),
		float64(j.EpochSeconds), float64(j.TrainSeconds), float64(j.EvalSeconds)}
	return nil
}
