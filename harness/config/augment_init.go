package config

import (
	"slices"
	"strings"

	"alexbench/models"
)

// The augment and init keys (d2l exercises 7 and 8).
const (
	AugmentNone      = "none"
	AugmentShift     = "shift"
	AugmentFlip      = "flip"
	AugmentShiftFlip = "shift+flip"

	InitXavier = "xavier"
	InitZeros  = "zeros"
	InitNormal = "normal"

	LRDecayNone   = "none"
	LRDecayLinear = "linear"

	SubsetStratified = "stratified"
	SubsetFirst      = "first"
)

// Augments, Inits and Conv1s are the accepted values, the default first.
var (
	Augments = []string{AugmentNone, AugmentShift, AugmentFlip, AugmentShiftFlip}
	Inits    = []string{InitXavier, InitZeros, InitNormal}
	Conv1s   = []string{models.Conv1Strided, models.Conv1SpaceToDepth}
	LRDecays = []string{LRDecayNone, LRDecayLinear}
	Subsets  = []string{SubsetStratified, SubsetFirst}
)

func validAugment(s string) bool { return slices.Contains(Augments, s) }
func validInit(s string) bool    { return slices.Contains(Inits, s) }

func orList(vs []string) string {
	return strings.Join(vs[:len(vs)-1], ", ") + " or " + vs[len(vs)-1]
}

// legacyValues are keys added after cells had been run, with the value every
// earlier cell implicitly had. At that value a key is left out of the
// canonical encoding, so those cells keep their keys (and are not retrained):
// augment "none", init "xavier" and conv1 "strided" compute exactly what they
// did. Any other
// value is in the key. This is a fixed value, not "the current default": were
// a default to change, the new default would still be hashed.
var legacyValues = map[string]string{"augment": AugmentNone, "init": InitXavier, "conv1": models.Conv1Strided, "lr_decay": LRDecayNone,
	"subset": SubsetFirst}

func atLegacyValue(key string, v any) bool {
	legacy, ok := legacyValues[key]
	if !ok {
		return false
	}
	s, _ := v.(string)
	return s == legacy || s == "" // "": a config.toml written before the key existed
}

// FillAbsent sets keys a config.toml written before they existed lacks to
// the value those cells ran with (results.ReadConfig calls it).
func (c *Config) FillAbsent() {
	if c.Augment == "" {
		c.Augment = AugmentNone
	}
	if c.Init == "" {
		c.Init = InitXavier
	}
	if c.Conv1 == "" {
		c.Conv1 = models.Conv1Strided
	}
	if c.LRDecay == "" {
		c.LRDecay = LRDecayNone
	}
	if c.Subset == "" {
		c.Subset = SubsetFirst // every cell before the key existed took a limit's first N
	}
}
