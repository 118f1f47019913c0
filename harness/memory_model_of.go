package harness

import (
	"alexbench/harness/cellspec"
	"alexbench/harness/config"
	"alexbench/harness/results"
)

// MemoryModelOf is the memory model of cfg's cell, resolving the cell for
// it; nil when it does not resolve. A runner never calls it: a resolved
// cell carries its model (cellspec.Spec.Memory).
//
// Deprecated: use the cell's cellspec.Spec. It stays while the reports'
// test fixtures, which start from bare configs, still call it.
func MemoryModelOf(cfg config.Config) *results.MemoryModel {
	s, err := cellspec.New(cfg, "")
	if err != nil {
		return nil
	}
	return s.Memory
}
