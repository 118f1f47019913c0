package shardplan

import (
	"fmt"

	"alexbench/harness/config"
	"alexbench/models"
)

// Fashion-MNIST's split sizes: a limit of 0 means the whole split.
const (
	fullTrain = 60000
	fullTest  = 10000
)

// CellEstimate is a cell's cost estimate from its resolved config: its model's
// forward multiply-adds per example at the cell's input size and knobs, the
// train and test examples after the limits, and the epochs.
func CellEstimate(cfg config.Config) (Estimate, error) {
	m, err := models.Build(cfg.Model, cfg.Options)
	if err != nil {
		return Estimate{}, fmt.Errorf("estimating %s: %w", cfg.Model, err)
	}
	e := Estimate{MACsPerExample: m.MACs(), TrainExamples: cfg.TrainLimit, TestExamples: cfg.TestLimit, Epochs: cfg.Epochs}
	if e.TrainExamples == 0 {
		e.TrainExamples = fullTrain
	}
	if e.TestExamples == 0 {
		e.TestExamples = fullTest
	}
	return e, nil
}
