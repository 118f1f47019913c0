package nvml

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRealSampler runs the real go-nvml path. On a machine without the NVIDIA
// driver (CI, this CPU box) it must take the RSS path and say why; on a GPU
// machine it must sample the GPU and write the timeline.
func TestRealSampler(t *testing.T) {
	s := New(Options{Interval: 20 * time.Millisecond})
	defer s.Close()
	available, reason := s.Available()
	dir := t.TempDir()
	s.Start(dir)
	ballast := make([]byte, 32<<20)
	for i := range ballast {
		ballast[i] = byte(i)
	}
	time.Sleep(150 * time.Millisecond)
	sum := s.Stop()
	b, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("summary: %s", b)

	if !sum.PeakRSSMiB.Valid() || float64(sum.PeakRSSMiB) < 32 || !strings.Contains(sum.RSSReason, "VmHWM") {
		t.Errorf("peak RSS %v MiB (%s), want ≥ 32 MiB from VmHWM", float64(sum.PeakRSSMiB), sum.RSSReason)
	}
	if !available {
		if !strings.HasPrefix(reason, "NVML unavailable: ") || sum.Reason != reason {
			t.Errorf("reason %q / %q, want \"NVML unavailable: …\"", reason, sum.Reason)
		}
		if sum.Available || sum.Method != MethodRSS || sum.PeakMiB != sum.PeakRSSMiB || sum.Samples != 0 {
			t.Errorf("RSS path summary: available %v, method %q, peak %v, samples %d",
				sum.Available, sum.Method, float64(sum.PeakMiB), sum.Samples)
		}
		if _, err := os.Stat(filepath.Join(dir, CSVName)); err == nil {
			t.Error("RSS path wrote nvml.csv")
		}
		return
	}
	if !sum.Available || sum.Samples < 3 || sum.Device == "" || sum.Driver == "" || !sum.TotalMiB.Valid() {
		t.Errorf("GPU path summary: available %v, samples %d, device %q, driver %q, total %v",
			sum.Available, sum.Samples, sum.Device, sum.Driver, float64(sum.TotalMiB))
	}
	if !sum.PeakDeviceUsedMiB.Valid() || float64(sum.PeakDeviceUsedMiB) > float64(sum.TotalMiB) {
		t.Errorf("peak device used %v MiB of %v", float64(sum.PeakDeviceUsedMiB), float64(sum.TotalMiB))
	}
	if sum.P95UtilGPU.Valid() && (sum.P95UtilGPU < 0 || sum.P95UtilGPU > 100) {
		t.Errorf("p95 utilization %v outside 0..100", float64(sum.P95UtilGPU))
	}
	csv, err := os.ReadFile(filepath.Join(dir, CSVName))
	if err != nil || strings.Count(string(csv), "\n") < 1+sum.Samples*len(sum.Devices) {
		t.Errorf("nvml.csv: %v, %d lines for %d samples", err, strings.Count(string(csv), "\n"), sum.Samples)
	}
}
