package answers

import (
	"fmt"
	"strings"

	"alexbench/harness/config"
)

// settingsLine states the matrix's settings once where all its cells share
// them and per level of the factor that sets them otherwise ("lr 0.9 for
// activation=sigmoid, 0.1 for activation=relu"): each cell's own values.
func settingsLine(m *Matrix) string {
	var cells []*Cell
	for _, c := range m.Cells {
		if c.ConfigOK {
			cells = append(cells, c)
		}
	}
	if len(cells) == 0 {
		return "not recorded (no readable config.toml)"
	}
	type setting struct {
		name string
		get  func(c *Cell) string
	}
	limit := func(n, all int) string {
		if n <= 0 {
			return fmt.Sprint(all)
		}
		return fmt.Sprint(n)
	}
	settings := []setting{
		{"epochs", func(c *Cell) string { return fmt.Sprint(c.Config.Epochs) }},
		{"lr", func(c *Cell) string {
			if c.Config.LRScaling == "linear" {
				return fmt.Sprintf("%g × batch/%d", c.Config.LR, c.Config.LRRefBatch)
			}
			return fmt.Sprintf("%g", c.Config.LR)
		}},
		{"batch", func(c *Cell) string { return fmt.Sprint(c.Config.BatchSize) }},
		{"inputs", func(c *Cell) string { return fmt.Sprintf("%d×%d", c.Config.Resize, c.Config.Resize) }},
		{"training images", func(c *Cell) string { return limit(c.Config.TrainLimit, 60000) }},
		{"test images", func(c *Cell) string { return limit(c.Config.TestLimit, 10000) }},
	}
	axes := factorsOf(m)
	keyOf := map[string]string{"epochs": "epochs", "lr": "lr", "batch": "batch_size", "inputs": "resize", "training images": "train_limit", "test images": "test_limit"}
	var parts []string
	for _, st := range settings {
		if hasKey(axes, keyOf[st.name]) {
			continue // a factor: each configuration's value is in its name
		}
		values := map[string]bool{}
		for _, c := range cells {
			values[st.get(c)] = true
		}
		if len(values) == 1 {
			parts = append(parts, st.name+" "+st.get(cells[0]))
			continue
		}
		by := ""
		for _, k := range axes {
			if settingFollows(cells, st.get, k) {
				by = k
				break
			}
		}
		if by == "" {
			parts = append(parts, fmt.Sprintf("%s %s (varies; see the cells)", st.name, strings.Join(sortedKeys(values), ", ")))
			continue
		}
		var per []string
		seen := map[string]bool{}
		for _, c := range cells {
			v, _ := c.Config.Get(by)
			level := formatValue(v)
			if seen[level] {
				continue
			}
			seen[level] = true
			per = append(per, fmt.Sprintf("%s for %s", st.get(c), plainSetting(by, level)))
		}
		parts = append(parts, st.name+" "+strings.Join(per, ", "))
	}
	return strings.Join(parts, ", ")
}

func settingFollows(cells []*Cell, get func(*Cell) string, key string) bool {
	seen := map[string]string{}
	for _, c := range cells {
		v, _ := c.Config.Get(key)
		k := formatValue(v)
		if prev, ok := seen[k]; ok && prev != get(c) {
			return false
		}
		seen[k] = get(c)
	}
	return true
}

// firstConfig is the config of the matrix's first configured cell.
func firstConfig(m *Matrix) config.Config {
	for _, c := range m.Cells {
		if c.ConfigOK {
			return c.Config
		}
	}
	return config.Config{}
}

// matrixProfile is the profile the matrix's finished cells ran.
func matrixProfile(m *Matrix) string {
	for _, c := range m.Cells {
		if p := cellProfile(c); p != "" {
			return p
		}
	}
	return ""
}
