package answers

import (
	"strconv"
	"strings"
)

// Prose names a configuration as a reader would ("ReLU, dropout 0.5,
// normalized inputs"), never by its config keys ("activation=relu
// dropout=0.5 normalize=true"); the cell lists keep the keys, which are what
// a matrix file and `train` take.

// plainSetting is one config key's value in words.
func plainSetting(key, value string) string {
	switch key {
	case "model":
		return prettyModel(value)
	case "activation":
		if value == "relu" {
			return "ReLU"
		}
		return value
	case "pool":
		switch value {
		case "max":
			return "max pooling"
		case "avg":
			return "average pooling"
		}
	case "dropout":
		return "dropout " + value
	case "normalize":
		if value == "true" {
			return "normalized inputs"
		}
		return "raw inputs"
	case "batchnorm":
		if value == "true" {
			return "batch norm"
		}
		return "no batch norm"
	case "width":
		if f, err := strconv.ParseFloat(value, 64); err == nil {
			return widthWords(f) + " width"
		}
	case "fc_width":
		return value + "-wide FC"
	case "conv_layers":
		return value + " conv layers"
	case "resize":
		return value + "×" + value + " inputs"
	case "batch_size":
		return "batch " + value
	case "lr_scaling":
		if value == "linear" {
			return "linear lr scaling"
		}
		return "fixed lr"
	case "lr_decay":
		if value == "linear" {
			return "lr decaying linearly to 0"
		}
		return "constant lr"
	case "lr":
		return "lr " + value
	case "epochs":
		return value + " epochs"
	case "augment":
		switch value {
		case "none":
			return "no augmentation"
		case "shift":
			return "±2 px shifts"
		case "flip":
			return "horizontal flips"
		case "shift+flip":
			return "shifts and flips"
		}
	case "init":
		switch value {
		case "xavier":
			return "Xavier init"
		case "zeros":
			return "zero init"
		case "normal":
			return "N(0, 0.01²) init"
		}
	case "train_limit":
		return value + " training images"
	case "seed":
		return "seed " + value
	}
	return key + " " + value
}

// plainLabel turns a cell label ("dropout=0.5 normalize=true") into words
// ("dropout 0.5, normalized inputs"); a label that is not key=value pairs
// (a model name) is returned as it is.
func plainLabel(label string) string {
	fields := strings.Fields(label)
	var parts []string
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return label
		}
		parts = append(parts, plainSetting(k, v))
	}
	if len(parts) == 0 {
		return label
	}
	return strings.Join(parts, ", ")
}
