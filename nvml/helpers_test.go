package nvml

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	gonvml "github.com/NVIDIA/go-nvml/pkg/nvml"
)

const (
	testPID     = 4242
	testTotal   = 16384 // MiB
	testReserve = 300   // MiB, GetMemoryInfo_v2's reserved
	testRSSKB   = 204800
)

// rec is one recorded sample of a device, in the units a reader thinks in.
type rec struct {
	usedMiB          uint64
	procMiB          int64 // < 0: our PID is not in the process list
	utilGPU, utilMem uint32
	powerW           float64
	energyJ          float64 // the energy counter
	tempC            uint32
}

func (r rec) step() fakeStep {
	const m = 1 << 20
	st := fakeStep{
		mem:      gonvml.Memory{Total: testTotal * m, Used: r.usedMiB * m, Free: (testTotal - r.usedMiB) * m},
		memV2:    gonvml.Memory_v2{Total: testTotal * m, Reserved: testReserve * m, Used: (r.usedMiB - testReserve) * m, Free: (testTotal - r.usedMiB) * m},
		procs:    []gonvml.ProcessInfo{{Pid: 1, UsedGpuMemory: 100 * m}},
		util:     gonvml.Utilization{Gpu: r.utilGPU, Memory: r.utilMem},
		powerMW:  uint32(math.Round(r.powerW * 1000)),
		clockMHz: 1410,
		tempC:    r.tempC,
		energyMJ: uint64(math.Round(r.energyJ * 1000)),
	}
	if r.procMiB >= 0 {
		st.procs = append(st.procs, gonvml.ProcessInfo{Pid: testPID, UsedGpuMemory: uint64(r.procMiB) * m})
	}
	return st
}

// The canonical series: irregular times so the trapezoid rule is really tested.
var (
	canonTimes = []float64{0, 0.1, 0.2, 0.35, 0.45}
	canonRecs  = []rec{
		{usedMiB: 1000, procMiB: -1, utilGPU: 0, utilMem: 0, powerW: 60, energyJ: 1000, tempC: 40},
		{usedMiB: 1600, procMiB: 500, utilGPU: 50, utilMem: 20, powerW: 200, energyJ: 1013, tempC: 41},
		{usedMiB: 2600, procMiB: 1500, utilGPU: 100, utilMem: 40, powerW: 300, energyJ: 1038, tempC: 42},
		{usedMiB: 2300, procMiB: 1200, utilGPU: 90, utilMem: 30, powerW: 250, energyJ: 1079.25, tempC: 44},
		{usedMiB: 1900, procMiB: 800, utilGPU: 80, utilMem: 10, powerW: 100, energyJ: 1096.75, tempC: 43},
	}
	// Energy by hand: (60+200)/2·0.1 + (200+300)/2·0.1 + (300+250)/2·0.15 + (250+100)/2·0.1
	canonEnergy = 13 + 25 + 41.25 + 17.5
)

func steps(recs []rec) []fakeStep {
	out := make([]fakeStep, len(recs))
	for i, r := range recs {
		out[i] = r.step()
	}
	return out
}

// withoutPID is recs with our PID never listed.
func withoutPID(recs []rec) []rec {
	out := append([]rec(nil), recs...)
	for i := range out {
		out[i].procMiB = -1
	}
	return out
}

func canonDevice(name string) *fakeDevice { return &fakeDevice{name: name, steps: steps(canonRecs)} }

// fakeClock returns base+offsets[k] on its k-th call (the last offset after that).
func fakeClock(offsets []float64) func() time.Time {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := 0
	return func() time.Time {
		d := offsets[min(k, len(offsets)-1)]
		k++
		return base.Add(time.Duration(math.Round(d * 1e9)))
	}
}

// fakeProc makes a /proc/self stand-in with VmHWM = testRSSKB.
func fakeProc(t *testing.T, clearRefs bool) string {
	dir := t.TempDir()
	status := "Name:\tfake\nVmPeak:\t  999999 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  1000 kB\n"
	if err := os.WriteFile(filepath.Join(dir, "status"), []byte(status), 0o644); err != nil {
		t.Fatal(err)
	}
	if clearRefs {
		if err := os.WriteFile(filepath.Join(dir, "clear_refs"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// fakeSampler is a Sampler on lib whose clock and ticks the test drives.
func fakeSampler(t *testing.T, lib *fakeLibrary, offsets []float64) (*Sampler, chan time.Time) {
	t.Helper()
	ticks := make(chan time.Time)
	s := New(Options{Library: lib, PID: testPID, ticks: ticks, now: fakeClock(offsets), procDir: fakeProc(t, true)})
	return s, ticks
}

// drive sends one tick per remaining offset, stopping early when the sampling
// goroutine has ended (a lost GPU). Each send returns once the goroutine has
// taken the tick, and it finishes that sample before it can see End's cancel.
func drive(t *testing.T, s *Sampler, ticks chan time.Time, n int) {
	t.Helper()
	s.mu.Lock()
	r := s.cur
	s.mu.Unlock()
	if r == nil || r.done == nil {
		return
	}
	for range n {
		select {
		case ticks <- time.Time{}:
		case <-r.done:
			return
		case <-time.After(10 * time.Second):
			t.Fatal("sampling goroutine neither took a tick nor ended")
		}
	}
}

// replay runs a whole Begin..End over the recorded series.
func replay(t *testing.T, lib *fakeLibrary, offsets []float64) Summary {
	t.Helper()
	s, ticks := fakeSampler(t, lib, offsets)
	if ok, why := s.Available(); !ok {
		t.Fatalf("fake NVML unavailable: %s", why)
	}
	if err := s.Begin(context.Background()); err != nil {
		t.Fatal(err)
	}
	drive(t, s, ticks, len(offsets)-1)
	return s.End()
}

// checkNum compares a measurement with a hand-computed value (NaN: must be missing).
func checkNum(t *testing.T, field string, got Num, want float64) {
	t.Helper()
	if math.IsNaN(want) {
		if got.Valid() {
			t.Errorf("%s = %v, want missing", field, float64(got))
		}
		return
	}
	if !got.Valid() || math.Abs(float64(got)-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %v, want %v", field, float64(got), want)
	}
}

// waitSamples waits until the run in progress has recorded n samples (a tick
// taken is not yet a sample recorded).
func waitSamples(t *testing.T, s *Sampler, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		got := s.cur.samples
		s.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d samples recorded, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}
