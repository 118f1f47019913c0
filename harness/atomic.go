package harness

import "alexbench/internal/atomicfile"

// writeFileAtomic writes data to path so that a reader (or a runner killed at
// any instant) sees either the old file or the whole new one.
func writeFileAtomic(path string, data []byte) error { return atomicfile.Write(path, data) }
