package data

// Mean and Std of the Fashion-MNIST training pixels after the /255 scaling,
// over all 60,000×28×28 values (population std). They are fixed here rather
// than computed per run so that a run on a subset (--train-limit) normalizes
// exactly like a full one; TestMeanStdMatchRealData recomputes them.
const (
	Mean = 0.2860405969887955
	Std  = 0.3530242445149226
)
