package nvml

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadPeakRSS(t *testing.T) {
	tests := []struct {
		name    string
		status  string // "" = no status file
		want    float64
		wantErr string
	}{
		{"kernel format", "Name:\tx\nVmHWM:\t  204800 kB\nVmRSS:\t 1 kB\n", 200, ""},
		{"no status file", "", 0, "no such file"},
		{"no VmHWM line", "Name:\tx\n", 0, "no VmHWM line"},
		{"not a number", "VmHWM:\t lots kB\n", 0, "VmHWM"},
		{"wrong unit", "VmHWM:\t 12 MB\n", 0, "unexpected VmHWM line"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.status != "" {
				os.WriteFile(filepath.Join(dir, "status"), []byte(tc.status), 0o644)
			}
			got, err := readPeakRSS(dir)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("readPeakRSS = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestPeakRSSReason(t *testing.T) {
	tests := []struct {
		name      string
		clearRefs bool
		want      string
	}{
		{"reset works", true, "reset at Start by writing 5 to"},
		{"reset impossible", false, "not reset at Start"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := fakeProc(t, tc.clearRefs)
			resetErr := resetPeakRSS(dir)
			v, why := peakRSS(dir, resetErr)
			checkNum(t, "peak", v, 200)
			if !strings.Contains(why, tc.want) {
				t.Errorf("reason %q lacks %q", why, tc.want)
			}
			if tc.clearRefs {
				if b, _ := os.ReadFile(filepath.Join(dir, "clear_refs")); string(b) != "5" {
					t.Errorf("clear_refs holds %q, want 5", b)
				}
			}
		})
	}
}

// The real /proc: resetting VmHWM drops a past peak back to the current RSS.
func TestPeakRSSResetOnThisProcess(t *testing.T) {
	if err := resetPeakRSS("/proc/self"); err != nil {
		t.Skipf("this kernel or /proc does not allow resetting VmHWM: %v", err)
	}
	ballast := make([]byte, 64<<20)
	for i := range ballast {
		ballast[i] = 1 // touch every page so it is resident
	}
	high, err := readPeakRSS("/proc/self")
	if err != nil {
		t.Fatal(err)
	}
	ballastSum := int(ballast[len(ballast)-1])
	ballast = nil
	debugFreeOSMemory()
	if err := resetPeakRSS("/proc/self"); err != nil {
		t.Fatal(err)
	}
	low, err := readPeakRSS("/proc/self")
	if err != nil {
		t.Fatal(err)
	}
	if ballastSum != 1 || low > high-32 {
		t.Errorf("VmHWM %v MiB after freeing 64 MiB and resetting, %v before", low, high)
	}
}
