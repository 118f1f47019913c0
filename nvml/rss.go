package nvml

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The process's peak RSS comes from VmHWM in /proc/self/status. The kernel
// keeps it for the process's lifetime; writing "5" to /proc/self/clear_refs
// (Linux ≥ 4.0) resets it to the current RSS, which Start does so that each
// cell gets its own peak. Where that write fails (old kernel, restricted
// /proc) the reason says the value is the peak since the process started.

// resetPeakRSS resets VmHWM to the current RSS.
func resetPeakRSS(procDir string) error {
	path := filepath.Join(procDir, "clear_refs")
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString("5"); err != nil {
		f.Close()
		return fmt.Errorf("writing 5 to %s: %w", path, err)
	}
	return f.Close()
}

// readPeakRSS returns VmHWM in MiB.
func readPeakRSS(procDir string) (float64, error) {
	path := filepath.Join(procDir, "status")
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest) // "123456 kB"
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("reading %s: unexpected VmHWM line %q", path, sc.Text())
		}
		kb, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("reading %s: VmHWM: %w", path, err)
		}
		return float64(kb) / 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("reading %s: %w", path, err)
	}
	return 0, fmt.Errorf("reading %s: no VmHWM line", path)
}

// peakRSS reads VmHWM and explains it, given how the reset at Start went.
func peakRSS(procDir string, resetErr error) (Num, string) {
	status := filepath.Join(procDir, "status")
	v, err := readPeakRSS(procDir)
	if err != nil {
		return NaN(), "peak RSS unknown: " + err.Error()
	}
	if resetErr != nil {
		return Num(v), fmt.Sprintf("VmHWM from %s, not reset at Start (%v): peak since the process started", status, resetErr)
	}
	return Num(v), fmt.Sprintf("VmHWM from %s, reset at Start by writing 5 to %s", status, filepath.Join(procDir, "clear_refs"))
}
