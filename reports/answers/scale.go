package answers

import (
	"strings"

	"alexbench/harness/config"
)

// The quick and cpu profiles scale d2l's recipe down where a CPU cannot
// afford it, cell by cell: the cpu profile runs LeNet's recipe whole and
// AlexNet scaled. So whether a section is at d2l's scale is read from its
// cells' configs, never from the profile's name alone.

// atD2LScale reports whether c trained at d2l's scale: a full-profile cell,
// or one whose config keeps the recipe's size (the model's own width, dense
// width, layers and input size, every training and test image, at least the
// recipe's epochs).
func atD2LScale(c *Cell) bool {
	p := cellProfile(c)
	if p == "full" {
		return !decays(c)
	}
	if p == "" || !c.ConfigOK {
		return false
	}
	def, err := config.Default(c.Config.Model)
	return err == nil && len(scaled(c.Config)) == 0 && c.Config.TrainLimit == 0 && c.Config.TestLimit == 0 &&
		c.Config.Epochs >= def.Epochs && !decays(c)
}

// allAtD2LScale reports whether every cell that ran is at d2l's scale (and
// at least one ran).
func allAtD2LScale(cells []*Cell) bool {
	n := 0
	for _, c := range cells {
		if c.Summary == nil {
			continue
		}
		if !atD2LScale(c) {
			return false
		}
		n++
	}
	return n > 0
}

// scaledProfile names the scaled-down profile among profiles, as the text
// says it ("quick profile", "CPU profile"), or "" when none ran.
func scaledProfile(profiles []string) string {
	switch {
	case hasKey(profiles, "quick"):
		return "quick profile"
	case hasKey(profiles, "cpu"):
		return "CPU profile"
	}
	return ""
}

// scaleCaveat is what a scaled-down number is good for: the quick profile
// shows a trend; the cpu profile is sized to decide, at a smaller scale.
func scaleCaveat(profile string) string {
	if strings.Contains(profile, "quick") {
		return "a trend, not d2l's numbers"
	}
	return "not d2l's scale"
}
