package reports

import (
	"fmt"
	"os"
	"path/filepath"

	"alexbench/internal/atomicfile"
)

// WriteFile writes data to path atomically: a temp file in the same folder,
// synced, then renamed over path, so a reader never sees half a report and a
// failed write leaves the previous report intact.
func WriteFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return atomicfile.Write(path, data)
}
