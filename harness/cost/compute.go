package cost

import "alexbench/models"

// Fashion-MNIST's split sizes: a limit of 0 means the whole split.
const (
	fullTrain = 60000
	fullTest  = 10000
)

// Compute is what a training cell computes: its model's forward
// multiply-adds per example (models.Model.MACs), the train and test
// examples per epoch after the limits, and the epochs.
type Compute struct {
	MACsPerExample int64
	TrainExamples  int
	TestExamples   int
	Epochs         int
}

// ComputeOf is the compute of training m on trainLimit examples and testing
// it on testLimit (0: the whole split) for epochs.
func ComputeOf(m *models.Model, trainLimit, testLimit, epochs int) Compute {
	c := Compute{MACsPerExample: m.MACs(), TrainExamples: trainLimit, TestExamples: testLimit, Epochs: epochs}
	if c.TrainExamples == 0 {
		c.TrainExamples = fullTrain
	}
	if c.TestExamples == 0 {
		c.TestExamples = fullTest
	}
	return c
}

// MACs is the cell's multiply-adds: a training example costs about three
// forward passes (forward, and the two matmuls of each layer's backward), a
// test example one, every epoch.
func (c Compute) MACs() float64 {
	return float64(c.MACsPerExample) * float64(c.Epochs) * (3*float64(c.TrainExamples) + float64(c.TestExamples))
}

// FLOPs is MACs at two FLOPs per multiply-add.
func (c Compute) FLOPs() float64 { return 2 * c.MACs() }
