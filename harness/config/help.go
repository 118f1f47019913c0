package config

import (
	"fmt"
	"strings"

	"alexbench/models"
)

// KeyHelp is what a user is told about one config key: `train --help` prints
// it beside the flag, and errors for a bad value suggest from Choices. It is
// kept next to Validate, whose checks it describes; a test holds the two
// together (every choice validates, every key has help).
type KeyHelp struct {
	What    string   // what the key does, one line
	Values  string   // the allowed values, as a user types them
	Choices []string // the whole set, for keys that take one of a few words
}

var keyHelp = map[string]KeyHelp{
	"model":        {"architecture (d2l's recipe for it sets every default)", "", nil},
	"activation":   {"hidden-layer nonlinearity", "relu|sigmoid", []string{"relu", "sigmoid"}},
	"pool":         {"pooling layers", "max|avg", []string{"max", "avg"}},
	"dropout":      {"drop probability of the dropout layers (0: none)", "0 ≤ p < 1", nil},
	"batchnorm":    {"batch normalization after every conv/dense layer but the last", "true|false", []string{"true", "false"}},
	"width":        {"multiplier of every conv layer's channels (E2.1)", "0 < w ≤ 16", nil},
	"fc_width":     {"width of AlexNet's two hidden dense layers", "≥ 1", nil},
	"conv_layers":  {"how many of AlexNet's five conv layers are kept (E2.1)", "1..5", nil},
	"resize":       {"side the 28×28 images are bilinearly resized to", "28..512", nil},
	"conv1":        {"form of AlexNet's first convolution: strided, or space_to_depth (the same result, a dense 3×3 convolution over 16 channels)", "", Conv1s},
	"normalize":    {"standardize inputs with Fashion-MNIST's mean/std (E5)", "true|false", []string{"true", "false"}},
	"augment":      {"training-batch augmentation: ±2 px shifts and/or horizontal flips", "", Augments},
	"init":         {"how conv and dense weights start", "", Inits},
	"lr":           {"SGD learning rate", "> 0", nil},
	"epochs":       {"passes over the training set", "1..1000", nil},
	"batch_size":   {"examples per step (alias --batch)", "1..65536, ≤ train_limit", nil},
	"lr_scaling":   {"linear: lr × batch_size / lr_ref_batch (Goyal et al., E3)", "none|linear", []string{"none", "linear"}},
	"lr_ref_batch": {"the batch size lr is given for, with lr_scaling linear", "≥ 1", nil},
	"lr_decay":     {"linear: lr falls linearly to 0 over the run's steps (none: d2l's constant rate)", "none|linear", []string{"none", "linear"}},
	"train_limit":  {"train on N examples: a stratified random sample, the same for every run (0: all 60000)", "0..60000", nil},
	"test_limit":   {"test on N examples: a stratified random sample, the same for every run (0: all 10000)", "0..10000", nil},
	"subset":       {"how a limit picks its images: stratified (a stratified random sample, the same for every run) or first (the file's first N, as cells before it)", "stratified|first", []string{"stratified", "first"}},
	"seed":         {"seed of the initialization and the shuffles", "an integer", nil},
	"precision":    {"floating-point format of weights and activations", "fp32|bf16", []string{"fp32", "bf16"}},
	"backend":      {"where to train (auto: XLA on CUDA if a GPU and plugin are found, else SimpleGo); not part of the cell key", "auto|go|xla:cuda|xla:cpu|xla:/abs/plugin.so", []string{"auto", "go", "xla:cuda", "xla:cpu"}},
}

// Help describes key; a key without an entry (one just added) says only its name.
func Help(key string) KeyHelp {
	h, ok := keyHelp[key]
	if !ok {
		return KeyHelp{What: "config key " + key}
	}
	if key == "model" {
		h.Choices = models.Names()
	}
	if h.Values == "" && h.Choices != nil {
		h.Values = strings.Join(h.Choices, "|")
	}
	return h
}

// DefaultText says key's default: one value, or, where d2l's recipes differ,
// each value with the models it is the default of ("0.9 (lenet); 0.01
// (alexnet, cnn28)"), models in registry order.
func DefaultText(key string) string {
	if key == "model" {
		return "lenet"
	}
	var order []string
	byValue := map[string][]string{}
	for _, name := range models.Names() {
		c, err := Default(name)
		if err != nil {
			continue
		}
		v, err := c.Get(key)
		if err != nil {
			return ""
		}
		s := fmt.Sprint(v)
		if _, seen := byValue[s]; !seen {
			order = append(order, s)
		}
		byValue[s] = append(byValue[s], name)
	}
	if len(order) == 1 {
		return order[0]
	}
	parts := make([]string, len(order))
	for i, v := range order {
		parts[i] = fmt.Sprintf("%s (%s)", v, strings.Join(byValue[v], ", "))
	}
	return strings.Join(parts, "; ")
}
