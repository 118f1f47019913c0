package nvml

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	gonvml "github.com/NVIDIA/go-nvml/pkg/nvml"
)

// The harness runner's interface; *Sampler must fit it without the harness
// defining anything here.
var _ interface {
	Start(dir string)
	Stop() Summary
} = (*Sampler)(nil)

func TestSummaryFromRecordedSeries(t *testing.T) {
	nan := math.NaN()
	unsupported := func(recs []rec) []fakeStep {
		st := steps(recs)
		for i := range st {
			st[i].powerErr = gonvml.ERROR_NOT_SUPPORTED
			st[i].tempErr = gonvml.ERROR_NOT_SUPPORTED
			st[i].energyErr = gonvml.ERROR_NOT_SUPPORTED
			st[i].memV2Err = gonvml.ERROR_FUNCTION_NOT_FOUND // an old driver
		}
		return st
	}
	withErr := func(at int, set func(*fakeStep)) []fakeStep {
		st := steps(canonRecs)
		set(&st[at])
		return st
	}
	hiddenPID := steps(canonRecs)
	for i := range hiddenPID {
		for j := range hiddenPID[i].procs {
			if hiddenPID[i].procs[j].Pid == testPID {
				hiddenPID[i].procs[j].UsedGpuMemory = ^uint64(0) // NVML_VALUE_NOT_AVAILABLE
			}
		}
	}
	busyOther := &fakeDevice{name: "Fake A", steps: steps([]rec{
		{usedMiB: 1000, procMiB: -1, utilGPU: 100, powerW: 400},
		{usedMiB: 1200, procMiB: -1, utilGPU: 100, powerW: 400},
		{usedMiB: 1100, procMiB: -1, utilGPU: 100, powerW: 400},
		{usedMiB: 1000, procMiB: -1, utilGPU: 100, powerW: 400},
		{usedMiB: 1000, procMiB: -1, utilGPU: 100, powerW: 400},
	})}

	type want struct {
		available           bool
		method              string
		peak, baseline      float64
		peakUsed, peakV2    float64
		reserved            float64
		meanUtil, p95Util   float64
		meanMem, p95Mem     float64
		energy, counter     float64
		meanPower           float64
		maxTemp             float64
		samples             int
		duration            float64
		device              string
		unsupported         []string
		fieldErrors         int
		errorHas, reasonHas []string
	}
	canon := want{
		available: true, method: MethodProcess, peak: 1500, baseline: 1000, peakUsed: 2600,
		peakV2: 2300, reserved: 300, meanUtil: 64, p95Util: 100, meanMem: 20, p95Mem: 40,
		energy: canonEnergy, counter: canonEnergy, meanPower: 182, maxTemp: 44, samples: 5,
		duration: 0.45, device: "Fake GPU",
	}
	tests := []struct {
		name    string
		devices []*fakeDevice
		want    func(w want) want
		check   func(t *testing.T, s Summary, devs []*fakeDevice)
	}{
		{
			name:    "our PID listed: process method, exact statistics",
			devices: []*fakeDevice{canonDevice("Fake GPU")},
			want:    func(w want) want { return w },
		},
		{
			name:    "PID not listed (container): device delta against the Start baseline",
			devices: []*fakeDevice{{name: "Fake GPU", steps: steps(withoutPID(canonRecs))}},
			want:    func(w want) want { w.method, w.peak = MethodDeviceDelta, 2600-1000; return w },
		},
		{
			name:    "PID listed with usage hidden by NVML: device delta",
			devices: []*fakeDevice{{name: "Fake GPU", steps: hiddenPID}},
			want:    func(w want) want { w.method, w.peak = MethodDeviceDelta, 1600; return w },
		},
		{
			name:    "unsupported fields are missing, not zero, and listed",
			devices: []*fakeDevice{{name: "Fake GPU", steps: unsupported(canonRecs)}},
			want: func(w want) want {
				w.peakV2, w.reserved, w.energy, w.counter, w.meanPower, w.maxTemp = nan, nan, nan, nan, nan, nan
				w.unsupported = []string{fieldEnergy, fieldMemoryV2, fieldPower, fieldTemperature}
				return w
			},
		},
		{
			name: "GPU lost mid-run: sampling stops, what came before is kept",
			devices: []*fakeDevice{{name: "Fake GPU", steps: withErr(3, func(s *fakeStep) {
				s.utilErr = gonvml.ERROR_GPU_IS_LOST
			})}},
			want: func(w want) want {
				w.samples, w.duration = 3, 0.2
				w.peakUsed, w.peakV2 = 2600, 2300
				w.meanUtil, w.p95Util, w.meanMem, w.p95Mem = 50, 100, 20, 40
				w.energy, w.counter, w.meanPower, w.maxTemp = 13+25, 38, (60+200+300)/3.0, 42
				w.errorHas = []string{"ERROR_GPU_IS_LOST", "t=0.350s", "utilization", "device 0 (Fake GPU)"}
				return w
			},
			check: func(t *testing.T, s Summary, devs []*fakeDevice) {
				// The lost sample read memory and utilization, then nothing more was called.
				for method, n := range map[string]int{"MemoryInfo": 4, "Utilization": 4, "PowerMilliwatts": 3} {
					if got := devs[0].callCount(method); got != n {
						t.Errorf("%s called %d times, want %d", method, got, n)
					}
				}
			},
		},
		{
			name: "GPU lost before the first sample: RSS path with the reason",
			devices: []*fakeDevice{{name: "Fake GPU", steps: withErr(0, func(s *fakeStep) {
				s.memErr = gonvml.ERROR_GPU_IS_LOST
			})}},
			want: func(want) want {
				return want{
					method: MethodRSS, peak: 200, baseline: nan, peakUsed: nan, peakV2: nan, reserved: nan,
					meanUtil: nan, p95Util: nan, meanMem: nan, p95Mem: nan, energy: nan, counter: nan,
					meanPower: nan, maxTemp: nan, errorHas: []string{"ERROR_GPU_IS_LOST"},
					reasonHas: []string{"NVML unavailable: no sample taken", "ERROR_GPU_IS_LOST"},
				}
			},
		},
		{
			name: "transient error leaves one field empty in one sample",
			devices: []*fakeDevice{{name: "Fake GPU", steps: withErr(2, func(s *fakeStep) {
				s.utilErr = gonvml.ERROR_UNKNOWN
			})}},
			want: func(w want) want {
				w.meanUtil, w.p95Util = (0+50+90+80)/4.0, 90
				w.meanMem, w.p95Mem = (0+20+30+10)/4.0, 30
				w.fieldErrors = 1
				return w
			},
			check: func(t *testing.T, s Summary, _ []*fakeDevice) {
				for _, part := range []string{"utilization", "ERROR_UNKNOWN", "t=0.200s"} {
					if !strings.Contains(s.LastFieldError, part) {
						t.Errorf("LastFieldError %q lacks %q", s.LastFieldError, part)
					}
				}
			},
		},
		{
			name: "missing power reading: the trapezoid bridges the gap",
			devices: []*fakeDevice{{name: "Fake GPU", steps: withErr(2, func(s *fakeStep) {
				s.powerErr = gonvml.ERROR_TIMEOUT
			})}},
			want: func(w want) want {
				w.energy = (60+200)/2.0*0.1 + (200+250)/2.0*0.25 + (250+100)/2.0*0.1
				w.meanPower = (60 + 200 + 250 + 100) / 4.0
				w.fieldErrors = 1
				return w
			},
		},
		{
			name:    "two GPUs, our PID on the second: aggregates cover it alone",
			devices: []*fakeDevice{busyOther, canonDevice("Fake B")},
			want:    func(w want) want { w.device = "Fake B"; return w },
			check: func(t *testing.T, s Summary, _ []*fakeDevice) {
				if len(s.Devices) != 2 || s.Devices[0].ProcessListed || !s.Devices[1].ProcessListed {
					t.Fatalf("Devices = %+v, want 2 with only the second listing our PID", s.Devices)
				}
				checkNum(t, "Devices[0].PeakProcessMiB", s.Devices[0].PeakProcessMiB, math.NaN())
				checkNum(t, "Devices[0].MeanUtilGPU", s.Devices[0].MeanUtilGPU, 100)
				checkNum(t, "Devices[0].EnergyJ", s.Devices[0].EnergyJ, 400*0.45)
				checkNum(t, "Devices[1].PeakProcessMiB", s.Devices[1].PeakProcessMiB, 1500)
			},
		},
		{
			name: "two GPUs, PID nowhere: delta peak is the peak of the per-instant sum",
			devices: []*fakeDevice{
				{name: "Fake A", steps: busyOther.steps},
				{name: "Fake B", steps: steps(withoutPID(canonRecs))},
			},
			want: func(w want) want {
				// Deltas A: 0 200 100 0 0; B: 0 600 1600 1300 900 → sums peak at 1700,
				// though the per-device peaks add to 1800.
				w.method, w.peak, w.baseline = MethodDeviceDelta, 1700, 2000
				w.peakUsed = 1200 + 2600
				w.peakV2, w.reserved = 900+2300, 600
				w.meanUtil, w.p95Util = (5*100+320)/10.0, 100
				w.meanMem, w.p95Mem = 10, 40
				w.energy, w.meanPower, w.maxTemp = canonEnergy+400*0.45, 182+400, 44
				w.counter = canonEnergy // A's counter reads 0 throughout
				w.device = "Fake A, Fake B"
				return w
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lib := &fakeLibrary{driver: "580.00", devices: tc.devices}
			s := replay(t, lib, canonTimes)
			w := tc.want(canon)
			if s.Available != w.available || s.Method != w.method || s.Samples != w.samples {
				t.Errorf("available, method, samples = %v, %q, %d; want %v, %q, %d",
					s.Available, s.Method, s.Samples, w.available, w.method, w.samples)
			}
			checkNum(t, "PeakMiB", s.PeakMiB, w.peak)
			checkNum(t, "BaselineMiB", s.BaselineMiB, w.baseline)
			checkNum(t, "PeakDeviceUsedMiB", s.PeakDeviceUsedMiB, w.peakUsed)
			checkNum(t, "PeakDeviceUsedV2MiB", s.PeakDeviceUsedV2MiB, w.peakV2)
			checkNum(t, "ReservedMiB", s.ReservedMiB, w.reserved)
			checkNum(t, "MeanUtilGPU", s.MeanUtilGPU, w.meanUtil)
			checkNum(t, "P95UtilGPU", s.P95UtilGPU, w.p95Util)
			checkNum(t, "MeanUtilMem", s.MeanUtilMem, w.meanMem)
			checkNum(t, "P95UtilMem", s.P95UtilMem, w.p95Mem)
			checkNum(t, "EnergyJ", s.EnergyJ, w.energy)
			checkNum(t, "EnergyCounterJ", s.EnergyCounterJ, w.counter)
			checkNum(t, "MeanPowerW", s.MeanPowerW, w.meanPower)
			checkNum(t, "MaxTempC", s.MaxTempC, w.maxTemp)
			checkNum(t, "PeakRSSMiB", s.PeakRSSMiB, 200)
			if math.Abs(s.DurationS-w.duration) > 1e-9 || s.IntervalMS != 100 {
				t.Errorf("duration, interval = %v s, %v ms; want %v s, 100 ms", s.DurationS, s.IntervalMS, w.duration)
			}
			if w.available && (s.Device != w.device || s.Driver != "580.00") {
				t.Errorf("device, driver = %q, %q; want %q, 580.00", s.Device, s.Driver, w.device)
			}
			if !slices.Equal(s.Unsupported, w.unsupported) || s.FieldErrors != w.fieldErrors {
				t.Errorf("unsupported, field errors = %v, %d; want %v, %d (last: %s)",
					s.Unsupported, s.FieldErrors, w.unsupported, w.fieldErrors, s.LastFieldError)
			}
			for _, part := range w.errorHas {
				if !strings.Contains(s.Error, part) {
					t.Errorf("Error %q lacks %q", s.Error, part)
				}
			}
			if len(w.errorHas) == 0 && s.Error != "" {
				t.Errorf("unexpected Error %q", s.Error)
			}
			for _, part := range w.reasonHas {
				if !strings.Contains(s.Reason, part) {
					t.Errorf("Reason %q lacks %q", s.Reason, part)
				}
			}
			if !strings.Contains(s.RSSReason, "reset at Start") {
				t.Errorf("RSSReason = %q, want it reset at Start", s.RSSReason)
			}
			if tc.check != nil {
				tc.check(t, s, tc.devices)
			}
			// Missing values must not break summary.json.
			b, err := json.Marshal(s)
			if err != nil {
				t.Fatalf("json.Marshal: %v", err)
			}
			var back Summary
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("json.Unmarshal: %v", err)
			}
			if back.PeakMiB.Valid() != s.PeakMiB.Valid() || back.EnergyJ.Valid() != s.EnergyJ.Valid() {
				t.Errorf("JSON round trip changed which values are missing: %s", b)
			}
		})
	}
}

func TestNewFallsBackToRSS(t *testing.T) {
	oneDevice := func() []*fakeDevice { return []*fakeDevice{canonDevice("Fake GPU")} }
	tests := []struct {
		name       string
		opts       Options
		lib        *fakeLibrary
		wantReason string
		shutdowns  int
	}{
		{"no driver", Options{}, &fakeLibrary{initErr: gonvml.ERROR_LIBRARY_NOT_FOUND},
			"NVML unavailable: libnvidia-ml.so.1 could not be loaded (ERROR_LIBRARY_NOT_FOUND)", 0},
		{"driver not loaded", Options{}, &fakeLibrary{initErr: gonvml.ERROR_DRIVER_NOT_LOADED},
			"NVML unavailable: nvmlInit: ERROR_DRIVER_NOT_LOADED", 0},
		{"no GPU", Options{}, &fakeLibrary{}, "NVML unavailable: NVML sees no GPU", 1},
		{"count fails", Options{}, &fakeLibrary{countErr: gonvml.ERROR_UNKNOWN, devices: oneDevice()},
			"NVML unavailable: counting devices: ERROR_UNKNOWN", 1},
		{"device out of range", Options{Devices: []int{3}}, &fakeLibrary{devices: oneDevice()},
			"NVML unavailable: device 3 requested, NVML sees 1", 1},
		{"disabled by the caller", Options{Disabled: "backend is go (SimpleGo)"}, &fakeLibrary{devices: oneDevice()},
			"NVML unavailable: backend is go (SimpleGo)", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Library, opts.procDir = tc.lib, fakeProc(t, true)
			s := New(opts)
			if ok, why := s.Available(); ok || !strings.HasPrefix(why, tc.wantReason) {
				t.Fatalf("Available() = %v, %q; want false, %q…", ok, why, tc.wantReason)
			}
			if tc.lib.shutdowns != tc.shutdowns {
				t.Errorf("Shutdown called %d times, want %d", tc.lib.shutdowns, tc.shutdowns)
			}
			dir := t.TempDir()
			s.Start(dir)
			sum, ok := s.Stop(), true
			if !ok {
				t.Fatalf("Stop() did not return a Summary value")
			}
			if sum.Available || sum.Method != MethodRSS || !strings.HasPrefix(sum.Reason, tc.wantReason) {
				t.Errorf("summary available, method, reason = %v, %q, %q", sum.Available, sum.Method, sum.Reason)
			}
			checkNum(t, "PeakMiB", sum.PeakMiB, 200)
			checkNum(t, "PeakRSSMiB", sum.PeakRSSMiB, 200)
			if sum.Samples != 0 || sum.Timeline != "" || fileExists(dir+"/"+CSVName) {
				t.Errorf("RSS path wrote a timeline: samples %d, timeline %q", sum.Samples, sum.Timeline)
			}
		})
	}
}

func TestSamplerLifecycle(t *testing.T) {
	t.Run("real ticker, repeated series", func(t *testing.T) {
		dev := &fakeDevice{name: "Fake GPU", steps: steps(canonRecs[2:3]), repeat: true}
		s := New(Options{Library: &fakeLibrary{devices: []*fakeDevice{dev}}, PID: testPID,
			Interval: 2 * time.Millisecond, procDir: fakeProc(t, true)})
		if err := s.Begin(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := s.Begin(context.Background()); err != errAlreadyStarted {
			t.Errorf("second Begin: %v, want %v", err, errAlreadyStarted)
		}
		deadline := time.Now().Add(10 * time.Second)
		for dev.callCount("MemoryInfo") < 4 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		sum := s.End()
		if sum.Samples < 4 || sum.Error != "" {
			t.Fatalf("samples %d, error %q; want ≥ 4 samples and no error", sum.Samples, sum.Error)
		}
		checkNum(t, "PeakMiB", sum.PeakMiB, 1500)
		checkNum(t, "MeanUtilGPU", sum.MeanUtilGPU, 100)
		checkNum(t, "MeanPowerW", sum.MeanPowerW, 300)
		// Constant 300 W: the trapezoid gives exactly power × elapsed time.
		checkNum(t, "EnergyJ", sum.EnergyJ, 300*sum.DurationS)
		// After End nothing polls any more.
		n := dev.callCount("MemoryInfo")
		time.Sleep(20 * time.Millisecond)
		if got := dev.callCount("MemoryInfo"); got != n {
			t.Errorf("sampling went on after End: %d → %d calls", n, got)
		}
	})

	t.Run("context cancel stops sampling", func(t *testing.T) {
		dev := &fakeDevice{name: "Fake GPU", steps: steps(canonRecs[:1]), repeat: true}
		s := New(Options{Library: &fakeLibrary{devices: []*fakeDevice{dev}}, PID: testPID,
			Interval: time.Millisecond, procDir: fakeProc(t, true)})
		ctx, cancel := context.WithCancel(context.Background())
		if err := s.Begin(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
		s.mu.Lock()
		done := s.cur.done
		s.mu.Unlock()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("cancelling Begin's context did not stop the goroutine")
		}
		if sum := s.End(); sum.Samples < 1 || !sum.Available {
			t.Errorf("after cancel: samples %d, available %v", sum.Samples, sum.Available)
		}
	})

	t.Run("hung NVML call: Stop returns after StopTimeout", func(t *testing.T) {
		dev := &fakeDevice{name: "Fake GPU", steps: steps(canonRecs)}
		offsets := canonTimes
		ticks := make(chan time.Time)
		s := New(Options{Library: &fakeLibrary{devices: []*fakeDevice{dev}}, PID: testPID,
			ticks: ticks, now: fakeClock(offsets), StopTimeout: 20 * time.Millisecond, procDir: fakeProc(t, true)})
		if err := s.Begin(context.Background()); err != nil {
			t.Fatal(err)
		}
		s.mu.Lock()
		r := s.cur
		s.mu.Unlock()
		dev.mu.Lock()
		dev.block = make(chan struct{}) // the next MemoryInfo hangs
		dev.mu.Unlock()
		ticks <- time.Time{}
		start := time.Now()
		sum := s.End()
		if waited := time.Since(start); waited > 5*time.Second {
			t.Errorf("End waited %v", waited)
		}
		if sum.Samples != 1 || !strings.Contains(sum.Error, "still inside an NVML call") {
			t.Errorf("samples %d, error %q; want 1 and the hung-call note", sum.Samples, sum.Error)
		}
		close(dev.block) // the call returns; its sample must be dropped
		<-r.done
		s.mu.Lock()
		defer s.mu.Unlock()
		if r.samples != 1 {
			t.Errorf("a sample landed after End: %d samples", r.samples)
		}
	})

	t.Run("Stop without Start", func(t *testing.T) {
		s := New(Options{Library: &fakeLibrary{devices: []*fakeDevice{canonDevice("Fake GPU")}}, procDir: fakeProc(t, true)})
		if sum := s.Stop(); !strings.Contains(sum.Error, "Stop without Start") {
			t.Errorf("Error = %q", sum.Error)
		}
	})

	t.Run("reused for several cells, Close shuts NVML down", func(t *testing.T) {
		lib := &fakeLibrary{devices: []*fakeDevice{{name: "Fake GPU", steps: steps(canonRecs), repeat: true}}}
		s, ticks := fakeSampler(t, lib, []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5})
		for cell := range 2 {
			s.Start(t.TempDir())
			drive(t, s, ticks, 2)
			if sum := s.Stop(); sum.Samples != 3 || sum.Timeline != CSVName {
				t.Errorf("cell %d: samples %d, timeline %q; want 3, %s", cell, sum.Samples, sum.Timeline, CSVName)
			}
		}
		if err := s.Close(); err != nil || lib.shutdowns != 1 {
			t.Errorf("Close: %v, %d shutdowns", err, lib.shutdowns)
		}
	})
}

// Mark splits the run: the steady peak covers only samples begun after it,
// so the compile-time spike (1500 MiB at t=0.2) is excluded.
func TestMarkSeparatesSteadyState(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name      string
		recs      []rec
		markAfter int // samples recorded before Mark; < 0: no Mark
		method    string
		peak      float64
		steady    float64
		from      float64
		start     float64
	}{
		{"process method", canonRecs, 3, MethodProcess, 1500, 1200, 0.35, 0},
		{"device delta", withoutPID(canonRecs), 3, MethodDeviceDelta, 1600, 1300, 0.35, 0},
		{"mark before any tick", canonRecs, 1, MethodProcess, 1500, 1500, 0.1, 0},
		{"no mark", canonRecs, -1, MethodProcess, 1500, nan, nan, 0},
		{"mark after the last sample", canonRecs, 5, MethodProcess, 1500, nan, nan, 0},
		{"process already holding memory at Start", func() []rec {
			r := append([]rec(nil), canonRecs...)
			r[0].procMiB = 300
			return r
		}(), 3, MethodProcess, 1500, 1200, 0.35, 300},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lib := &fakeLibrary{driver: "580.00", devices: []*fakeDevice{{name: "Fake GPU", steps: steps(tc.recs)}}}
			s, ticks := fakeSampler(t, lib, canonTimes)
			if err := s.Begin(context.Background()); err != nil {
				t.Fatal(err)
			}
			n := len(canonTimes) - 1
			if tc.markAfter >= 0 {
				drive(t, s, ticks, tc.markAfter-1)
				waitSamples(t, s, tc.markAfter)
				s.Mark()
				n -= tc.markAfter - 1
			}
			drive(t, s, ticks, n)
			sum := s.End()
			if sum.Method != tc.method {
				t.Fatalf("method %q, want %q", sum.Method, tc.method)
			}
			checkNum(t, "PeakMiB", sum.PeakMiB, tc.peak)
			checkNum(t, "SteadyPeakMiB", sum.SteadyPeakMiB, tc.steady)
			checkNum(t, "SteadyFromS", sum.SteadyFromS, tc.from)
			checkNum(t, "StartMiB", sum.StartMiB, tc.start)
		})
	}
}

func TestMarkOnRSSPathIsMissing(t *testing.T) {
	s := New(Options{Disabled: "test", procDir: fakeProc(t, true)})
	s.Start(t.TempDir())
	s.Mark()
	sum := s.Stop()
	for name, v := range map[string]Num{"StartMiB": sum.StartMiB, "SteadyPeakMiB": sum.SteadyPeakMiB, "SteadyFromS": sum.SteadyFromS} {
		if v.Valid() {
			t.Errorf("%s = %v on the RSS path, want missing", name, float64(v))
		}
	}
}
