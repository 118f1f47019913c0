package fastcpu

import "alexbench/internal/switches"

// sw are this package's environment switches, read once per process with
// all the others (internal/switches, whose doc lists them). To add one, add
// a field to switches.FastCPU and read it here as sw.<Field>.
var sw = switches.Current().FastCPU
