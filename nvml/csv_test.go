package nvml

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	gonvml "github.com/NVIDIA/go-nvml/pkg/nvml"
)

func TestStopWritesTimelineCSV(t *testing.T) {
	header := "t_s,device,mem_used_mib,mem_reserved_mib,proc_mib,util_gpu,util_mem,power_w,sm_clock_mhz,temp_c,mem_used_v2_mib,mem_total_mib"
	noPower := steps(canonRecs)
	for i := range noPower {
		noPower[i].powerErr = gonvml.ERROR_NOT_SUPPORTED
	}
	tests := []struct {
		name string
		dev  *fakeDevice
		want []string // rows after the header
	}{
		{"process method: proc_mib is our NVML entry (0 before it appears)", canonDevice("Fake GPU"), []string{
			"0.000,0,1000.0,300.0,0.0,0,0,60.000,1410,40,700.0,16384.0",
			"0.100,0,1600.0,300.0,500.0,50,20,200.000,1410,41,1300.0,16384.0",
			"0.200,0,2600.0,300.0,1500.0,100,40,300.000,1410,42,2300.0,16384.0",
			"0.350,0,2300.0,300.0,1200.0,90,30,250.000,1410,44,2000.0,16384.0",
			"0.450,0,1900.0,300.0,800.0,80,10,100.000,1410,43,1600.0,16384.0",
		}},
		{"device-delta method: proc_mib is used − baseline", &fakeDevice{name: "Fake GPU", steps: steps(withoutPID(canonRecs))}, []string{
			"0.000,0,1000.0,300.0,0.0,0,0,60.000,1410,40,700.0,16384.0",
			"0.100,0,1600.0,300.0,600.0,50,20,200.000,1410,41,1300.0,16384.0",
			"0.200,0,2600.0,300.0,1600.0,100,40,300.000,1410,42,2300.0,16384.0",
			"0.350,0,2300.0,300.0,1300.0,90,30,250.000,1410,44,2000.0,16384.0",
			"0.450,0,1900.0,300.0,900.0,80,10,100.000,1410,43,1600.0,16384.0",
		}},
		{"unsupported power: empty cells", &fakeDevice{name: "Fake GPU", steps: noPower}, []string{
			"0.000,0,1000.0,300.0,0.0,0,0,,1410,40,700.0,16384.0",
			"0.100,0,1600.0,300.0,500.0,50,20,,1410,41,1300.0,16384.0",
			"0.200,0,2600.0,300.0,1500.0,100,40,,1410,42,2300.0,16384.0",
			"0.350,0,2300.0,300.0,1200.0,90,30,,1410,44,2000.0,16384.0",
			"0.450,0,1900.0,300.0,800.0,80,10,,1410,43,1600.0,16384.0",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ticks := fakeSampler(t, &fakeLibrary{devices: []*fakeDevice{tc.dev}}, canonTimes)
			dir := t.TempDir()
			s.Start(dir)
			drive(t, s, ticks, len(canonTimes)-1)
			sum := s.Stop()
			if sum.Timeline != CSVName || sum.TimelinePoints != 5 {
				t.Errorf("timeline %q with %d points, want %s with 5", sum.Timeline, sum.TimelinePoints, CSVName)
			}
			b, err := os.ReadFile(filepath.Join(dir, CSVName))
			if err != nil {
				t.Fatal(err)
			}
			want := header + "\n" + strings.Join(tc.want, "\n") + "\n"
			if string(b) != want {
				t.Errorf("nvml.csv:\n%s\nwant:\n%s", b, want)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("folder holds %d entries, want only %s (no temp file left)", len(entries), CSVName)
			}
		})
	}
}

func TestWriteCSVFailureLeavesNothingAndIsReported(t *testing.T) {
	s, ticks := fakeSampler(t, &fakeLibrary{devices: []*fakeDevice{canonDevice("Fake GPU")}}, canonTimes)
	missing := filepath.Join(t.TempDir(), "no-such-folder")
	s.Start(missing)
	drive(t, s, ticks, 1)
	sum := s.Stop()
	if sum.Timeline != "" || !strings.Contains(sum.Error, "writing "+filepath.Join(missing, CSVName)) {
		t.Errorf("timeline %q, error %q; want no timeline and the write error", sum.Timeline, sum.Error)
	}
	if sum.Samples != 2 {
		t.Errorf("samples %d, want 2: a failed CSV must not lose the summary", sum.Samples)
	}
}

func TestWriteCSVReplacesAtomically(t *testing.T) {
	s, ticks := fakeSampler(t, &fakeLibrary{devices: []*fakeDevice{canonDevice("Fake GPU")}}, canonTimes)
	if err := s.WriteCSV(filepath.Join(t.TempDir(), "x.csv")); err == nil {
		t.Error("WriteCSV before any run succeeded")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, CSVName)
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.Start(dir)
	drive(t, s, ticks, 2)
	waitSamples(t, s, 3)
	// Mid-run: a snapshot of the samples so far.
	if err := s.WriteCSV(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if got := strings.Count(string(b), "\n"); got != 4 {
		t.Errorf("mid-run CSV has %d lines, want header + 3", got)
	}
	s.Stop()
}
