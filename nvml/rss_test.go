package nvml

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
			v, why := peakRSS(dir, resetErr, nil)
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

// Where VmHWM cannot be reset, a cell's peak is the largest VmRSS sampled
// while it ran, not the process's lifetime peak, and the reason says so.
func TestPeakRSSSampledWhereResetFails(t *testing.T) {
	dir := fakeProc(t, false) // no clear_refs: the reset fails
	write := func(rssKB int) {
		// Renamed into place, so a poll never reads a half-written file.
		status := fmt.Sprintf("Name:\tfake\nVmHWM:\t  204800 kB\nVmRSS:\t  %d kB\n", rssKB)
		tmp := filepath.Join(dir, "status.tmp")
		if err := os.WriteFile(tmp, []byte(status), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "status")); err != nil {
			t.Fatal(err)
		}
	}
	write(10 * 1024)
	s := New(Options{Interval: time.Millisecond, procDir: dir})
	if err := s.Begin(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The cell's memory rises to 50 MiB, then falls back; each level is
	// held until the poller has read it twice.
	poller := s.cur.rss
	for _, mib := range []int{20, 50, 30} {
		write(mib * 1024)
		for seen := poller.samples(); poller.samples() < seen+2; {
			time.Sleep(time.Millisecond)
		}
	}
	sum := s.End()
	checkNum(t, "peak", sum.PeakRSSMiB, 50)
	if !strings.Contains(sum.RSSReason, "VmRSS samples") || !strings.Contains(sum.RSSReason, "could not be reset") {
		t.Errorf("reason %q does not say the peak was sampled, and why", sum.RSSReason)
	}
}
