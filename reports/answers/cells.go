package answers

import (
	"alexbench/harness/config"
	"alexbench/reports/load"
)

// The answers read what the load layer read; these names keep the section
// code short.
type (
	Results = load.Results
	Matrix  = load.Matrix
	Cell    = load.Cell
	Profile = load.Profile
)

func formatValue(v any) string { return load.FormatValue(v) }

func hasKey(keys []string, k string) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

// matrixDefault is the registry default of the matrix's model, when all its
// cells share one model.
func matrixDefault(m *Matrix) (config.Config, bool) {
	model := ""
	for _, c := range m.Cells {
		if !c.ConfigOK {
			continue
		}
		if model != "" && c.Config.Model != model {
			return config.Config{}, false
		}
		model = c.Config.Model
	}
	def, err := config.Default(model)
	return def, err == nil
}
