package answers

import (
	"fmt"
	"math"
	"strings"
	"sync"

	"alexbench/harness/config"
	"alexbench/models"
)

// A model is named for what ran, everywhere it appears (legends, tables,
// answers): a net scaled down from its recipe carries its scale, e.g.
// "AlexNet-quick (¼ width, 512-wide FC, 67×67, 0.54 M params; d2l's: 46.8 M)",
// so no quick number is ever read as d2l's AlexNet's.

var prettyModels = map[string]string{"alexnet": "AlexNet", "lenet": "LeNet-5", "cnn28": "CNN-28", "resnet28": "ResNet-28"}

// d2lModels are the models whose registry defaults are d2l's own nets.
var d2lModels = map[string]bool{"alexnet": true, "lenet": true}

func prettyModel(name string) string {
	if p, ok := prettyModels[name]; ok {
		return p
	}
	return name
}

var paramCache sync.Map // config.Config (architecture part) → int64

// archParams is the model's parameter count at opts (analytic, from the
// layer stack), -1 when it does not build.
func archParams(model string, o models.Options) int64 {
	type key struct {
		m string
		o models.Options
	}
	k := key{model, o}
	if v, ok := paramCache.Load(k); ok {
		return v.(int64)
	}
	n := int64(-1)
	if m, err := models.Build(model, o); err == nil {
		n = m.Params()
	}
	paramCache.Store(k, n)
	return n
}

// scaled lists how a config's architecture differs from its model's recipe:
// the scale knobs (width, dense width, conv layers, input size).
func scaled(c config.Config) []string {
	def, err := config.Default(c.Model)
	if err != nil {
		return nil
	}
	var parts []string
	if c.Width != def.Width {
		parts = append(parts, widthWords(c.Width/def.Width)+" width")
	}
	if c.FCWidth != def.FCWidth {
		parts = append(parts, fmt.Sprintf("%d-wide FC", c.FCWidth))
	}
	if c.ConvLayers != def.ConvLayers {
		parts = append(parts, plural(c.ConvLayers, "conv layer", "conv layers"))
	}
	if c.Resize != def.Resize {
		parts = append(parts, fmt.Sprintf("%d×%d", c.Resize, c.Resize))
	}
	return parts
}

// variantWords lists the non-scale knobs that differ from the recipe
// (activation, pooling, dropout, batch norm).
func variantWords(c config.Config) []string {
	def, err := config.Default(c.Model)
	if err != nil {
		return nil
	}
	var parts []string
	if c.Activation != def.Activation {
		parts = append(parts, map[string]string{"relu": "ReLU", "sigmoid": "sigmoid"}[c.Activation])
	}
	if c.Pool != def.Pool {
		parts = append(parts, map[string]string{"max": "max pooling", "avg": "average pooling"}[c.Pool])
	}
	if c.Dropout != def.Dropout {
		parts = append(parts, fmt.Sprintf("dropout %g", c.Dropout))
	}
	if c.BatchNorm != def.BatchNorm {
		if c.BatchNorm {
			parts = append(parts, "batch norm")
		} else {
			parts = append(parts, "no batch norm")
		}
	}
	return parts
}

func widthWords(f float64) string {
	for _, w := range []struct {
		f float64
		s string
	}{{0.125, "⅛"}, {0.25, "¼"}, {0.5, "½"}, {0.75, "¾"}} {
		if math.Abs(f-w.f) < 1e-9 {
			return w.s
		}
	}
	return fmt.Sprintf("%g×", f)
}

// fmtMParams is "46.8 M", "0.54 M", "62 k".
func fmtMParams(n int64) string {
	x := float64(n)
	switch {
	case n < 0:
		return "–"
	case x >= 1e7:
		return fmt.Sprintf("%.1f M", x/1e6)
	case x >= 1e5:
		return fmt.Sprintf("%.2g M", x/1e6)
	}
	return fmt.Sprintf("%.0f k", x/1e3)
}

// modelName is the honest name of what a config trained: the model, with
// "-quick" (the quick and cpu profiles' scaled-down model) or "-scaled" when its scale differs from the
// recipe, the scale and its parameter count against the recipe's.
func modelName(c config.Config, profile string) string {
	name := prettyModel(c.Model)
	sc := scaled(c)
	parts := append(sc, variantWords(c)...)
	if len(sc) > 0 {
		if profile == "quick" || profile == "cpu" {
			name += "-quick"
		} else {
			name += "-scaled"
		}
		full := "full width"
		if d2lModels[c.Model] {
			full = "d2l's"
		}
		def, _ := config.Default(c.Model)
		parts = append(parts, fmt.Sprintf("%s params; %s: %s", fmtMParams(archParams(c.Model, c.Options)), full, fmtMParams(archParams(c.Model, def.Options))))
	}
	if len(parts) == 0 {
		return name
	}
	return name + " (" + strings.Join(parts, ", ") + ")"
}

// cellProfile is the profile a cell ran (or was planned) in.
func cellProfile(c *Cell) string {
	if c.Summary != nil {
		return c.Summary.Profile
	}
	return ""
}

// groupModelName is modelName of a group's first configured cell.
func groupModelName(g *group) string {
	c := g.first()
	if !c.ConfigOK {
		return g.Label
	}
	return modelName(c.Config, cellProfile(c))
}

// shortModelName is the name without the parenthesis, for legends where the
// full name is given once nearby ("AlexNet-quick").
func shortModelName(full string) string {
	if i := strings.Index(full, " ("); i > 0 {
		return full[:i]
	}
	return full
}
