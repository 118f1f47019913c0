package config

import "alexbench/models"

// Defaults that follow other knobs.
//
// A model's recipe (models.Recipe) is tuned for its default knobs, and one of
// them does not carry over: d2l's LeNet rate, 0.9, is tuned for its sigmoid
// activations. At 0.9 ReLU LeNet diverges or sticks at chance (measured:
// `train --model lenet --activation relu --lr 0.9` ended at loss 4.04, test
// acc 0.139; in a quick E5 run ReLU with normalized inputs diverged in its
// first epoch in 3 of 4 cells), which measures the rate, not ReLU. So when a
// cell does not set lr, LeNet's follows its activation:
//
//	lenet  sigmoid 0.9 (d2l's recipe)   relu 0.1
//
// ReLU's 0.1 is the rate every ReLU LeNet of our matrices already used
// explicitly (E5's relu cells, E1's and E2.2's quick LeNet): it trains in a
// few hundred steps without diverging, with or without normalized inputs.
// Other models keep their recipe's rate for every activation: AlexNet's 0.01
// is d2l's for its ReLU net, and a sigmoid AlexNet at that rate is exactly
// the "what breaks training" control of d2l's exercise 8.
//
// A rate the user sets (a matrix key, a --lr flag) always wins. The derived
// value is part of the resolved config, so it is in the cell key like any
// other value, and the key of a cell that set lr explicitly to the derived
// value is unchanged.
var activationLR = map[string]map[string]float64{
	"lenet": {"sigmoid": 0.9, "relu": 0.1},
}

// DefaultLR is the learning rate model trains with at activation when lr is
// not set: its activation's rate where one is listed, else its recipe's.
func DefaultLR(model, activation string) float64 {
	if lr, ok := activationLR[model][activation]; ok {
		return lr
	}
	if e, err := models.Lookup(model); err == nil {
		return e.Recipe.LR
	}
	return 0
}

// Derive fills the defaults that follow other knobs (today: lr follows
// activation, see DefaultLR) for every key isSet says the user did not set.
// Entry points call it after applying the user's keys and before Validate:
// a TOML cell (harness/matrix) and `alexbench train`'s flags alike.
func (c *Config) Derive(isSet func(key string) bool) {
	if !isSet("lr") {
		if lr := DefaultLR(c.Model, c.Activation); lr > 0 {
			c.LR = lr
		}
	}
}
