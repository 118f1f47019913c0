package nvml

import (
	"os"
	"runtime/debug"
)

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func debugFreeOSMemory() { debug.FreeOSMemory() }
