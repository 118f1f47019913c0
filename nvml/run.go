package nvml

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// deviceStats streams one device's statistics over a run.
type deviceStats struct {
	baseline    float64 // first readable GetMemoryInfo used: the device-delta baseline
	total       float64
	used        running
	usedV2      running
	reserved    running
	proc        running
	delta       running
	procListed  bool
	utilGPU     histogram101
	utilMem     histogram101
	power       running
	energy      trapezoid
	counter     counterDelta
	clock       running
	temp        running
	unsupported map[string]bool
}

// run is one Start..Stop. Everything but start, cancel and done is guarded by
// the Sampler's mutex.
type run struct {
	start    time.Time
	cancel   context.CancelFunc // nil when no sampling goroutine was started
	done     chan struct{}      // closed when the goroutine has returned
	resetErr error              // from resetting VmHWM at Start
	rss      *rssPoller         // VmRSS samples, where that reset failed

	devices       []deviceStats
	samples       int
	firstT, lastT float64
	peakProcSum   running // per instant: Σ devices of our process's memory
	peakDeltaSum  running // per instant: Σ devices of max(0, used − baseline)
	startProcSum  float64 // the first instant's Σ of our process's memory
	// marked is set by Mark; samples begun after it are the steady state.
	marked         bool
	steadyFrom     float64 // t of the first steady sample (NaN: none yet)
	steadyProcSum  running
	steadyDeltaSum running
	fieldErrors    int
	lastFieldError string
	err            []string
	timeline       *timeline
	ended          bool
}

func newRun(devices, maxPoints int) *run {
	r := &run{devices: make([]deviceStats, devices), timeline: newTimeline(maxPoints), steadyFrom: math.NaN()}
	for i := range r.devices {
		r.devices[i].baseline = math.NaN()
		r.devices[i].total = math.NaN()
		r.devices[i].unsupported = map[string]bool{}
	}
	return r
}

// record adds one sampling instant; steady tells whether it was begun after Mark.
func (r *run) record(p point, steady bool, issues []fieldIssue, names []string) {
	if r.samples == 0 {
		r.firstT = p.t
	}
	r.samples++
	r.lastT = p.t
	var procSum, deltaSum float64
	for i, rd := range p.readings {
		d := &r.devices[i]
		if math.IsNaN(d.baseline) {
			d.baseline = rd.usedMiB
		}
		if !math.IsNaN(rd.totalMiB) {
			d.total = rd.totalMiB
		}
		d.used.add(rd.usedMiB)
		d.usedV2.add(rd.usedV2MiB)
		d.reserved.add(rd.reservedMiB)
		d.proc.add(rd.procMiB)
		if !math.IsNaN(rd.procMiB) {
			procSum += rd.procMiB
		}
		d.procListed = d.procListed || rd.procFound
		if delta := deviceDelta(rd.usedMiB, d.baseline); !math.IsNaN(delta) {
			d.delta.add(delta)
			deltaSum += delta
		}
		d.utilGPU.add(rd.utilGPU)
		d.utilMem.add(rd.utilMem)
		d.power.add(rd.powerW)
		d.energy.add(p.t, rd.powerW)
		d.counter.add(rd.energyMJ / 1000)
		d.clock.add(rd.smClock)
		d.temp.add(rd.tempC)
	}
	if r.samples == 1 {
		r.startProcSum = procSum
	}
	r.peakProcSum.add(procSum)
	r.peakDeltaSum.add(deltaSum)
	if steady {
		if math.IsNaN(r.steadyFrom) {
			r.steadyFrom = p.t
		}
		r.steadyProcSum.add(procSum)
		r.steadyDeltaSum.add(deltaSum)
	}
	for _, is := range issues {
		if is.class == classUnsupported {
			r.devices[is.device].unsupported[is.field] = true
			continue
		}
		r.fieldErrors++
		r.lastFieldError = fmt.Sprintf("%s at t=%.3fs: %s: %v", names[is.device], p.t, is.field, is.err)
	}
	r.timeline.add(p)
}

// deviceDelta is how much the device's used memory grew over the baseline;
// negative growth (someone else freed memory) counts as 0.
func deviceDelta(used, baseline float64) float64 {
	if math.IsNaN(used) || math.IsNaN(baseline) {
		return math.NaN()
	}
	return max(0, used-baseline)
}

// method is MethodProcess when our PID was listed on any device (those devices
// are then the summarized set), else MethodDeviceDelta over every device.
func (r *run) method() (string, []int) {
	var listed, all []int
	for i, d := range r.devices {
		all = append(all, i)
		if d.procListed {
			listed = append(listed, i)
		}
	}
	if len(listed) > 0 {
		return MethodProcess, listed
	}
	return MethodDeviceDelta, all
}

// summarize builds the Summary of what was recorded. The caller holds the lock.
func (r *run) summarize(s *Sampler) Summary {
	sum := Summary{
		Available:  true,
		IntervalMS: float64(s.opts.Interval) / float64(time.Millisecond),
		Driver:     s.driver,
		Samples:    r.samples,
		Error:      strings.Join(r.err, "; "),

		FieldErrors:    r.fieldErrors,
		LastFieldError: r.lastFieldError,
	}
	if r.samples > 1 {
		sum.DurationS = r.lastT - r.firstT
	}
	sum.TimelinePoints = len(r.timeline.series())
	method, set := r.method()
	sum.Method = method
	if method == MethodProcess {
		sum.PeakMiB = Num(r.peakProcSum.peak())
		sum.StartMiB = Num(r.startProcSum)
		sum.SteadyPeakMiB = Num(r.steadyProcSum.peak())
	} else {
		sum.PeakMiB = Num(r.peakDeltaSum.peak())
		sum.StartMiB = 0 // the baseline is the first sample
		sum.SteadyPeakMiB = Num(r.steadyDeltaSum.peak())
	}
	sum.SteadyFromS = Num(r.steadyFrom)

	var utilGPU, utilMem histogram101
	var clock running
	var names []string
	unsupported := map[string]bool{}
	for _, i := range set {
		d := &r.devices[i]
		utilGPU.merge(&d.utilGPU)
		utilMem.merge(&d.utilMem)
		mergeRunning(&clock, &d.clock)
		names = append(names, s.devices[i].name)
		for f := range d.unsupported {
			unsupported[f] = true
		}
	}
	over := func(f func(d *deviceStats) float64) Num { return sumOver(r.devices, set, f) }
	sum.BaselineMiB = over(func(d *deviceStats) float64 { return d.baseline })
	sum.PeakDeviceUsedMiB = over(func(d *deviceStats) float64 { return d.used.peak() })
	sum.PeakDeviceUsedV2MiB = over(func(d *deviceStats) float64 { return d.usedV2.peak() })
	sum.ReservedMiB = over(func(d *deviceStats) float64 { return d.reserved.peak() })
	sum.TotalMiB = over(func(d *deviceStats) float64 { return d.total })
	sum.EnergyJ = over(func(d *deviceStats) float64 { return d.energy.value() })
	sum.EnergyCounterJ = over(func(d *deviceStats) float64 { return d.counter.value() })
	sum.MeanPowerW = over(func(d *deviceStats) float64 { return d.power.mean() })
	sum.PeakPowerW = over(func(d *deviceStats) float64 { return d.power.peak() })
	sum.MaxTempC = NaN()
	for _, i := range set {
		if t := r.devices[i].temp.peak(); !math.IsNaN(t) && (!sum.MaxTempC.Valid() || t > float64(sum.MaxTempC)) {
			sum.MaxTempC = Num(t)
		}
	}
	sum.MeanUtilGPU, sum.P95UtilGPU = Num(utilGPU.mean()), Num(utilGPU.percentile(95))
	sum.MeanUtilMem, sum.P95UtilMem = Num(utilMem.mean()), Num(utilMem.percentile(95))
	sum.MeanSMClockMHz = Num(clock.mean())
	sum.Device = strings.Join(names, ", ")
	sum.Unsupported = sortedKeys(unsupported)

	for i := range r.devices {
		sum.Devices = append(sum.Devices, r.devices[i].summarize(s.devices[i]))
	}
	return sum
}

func (d *deviceStats) summarize(info sampledDevice) DeviceSummary {
	ds := DeviceSummary{
		Index:              info.index,
		Name:               info.name,
		ProcessListed:      d.procListed,
		TotalMiB:           Num(d.total),
		BaselineMiB:        Num(d.baseline),
		PeakUsedMiB:        Num(d.used.peak()),
		PeakUsedV2MiB:      Num(d.usedV2.peak()),
		PeakReservedMiB:    Num(d.reserved.peak()),
		PeakProcessMiB:     NaN(),
		PeakDeviceDeltaMiB: Num(d.delta.peak()),
		MeanUtilGPU:        Num(d.utilGPU.mean()),
		P95UtilGPU:         Num(d.utilGPU.percentile(95)),
		MeanUtilMem:        Num(d.utilMem.mean()),
		P95UtilMem:         Num(d.utilMem.percentile(95)),
		EnergyJ:            Num(d.energy.value()),
		EnergyCounterJ:     Num(d.counter.value()),
		MeanPowerW:         Num(d.power.mean()),
		PeakPowerW:         Num(d.power.peak()),
		MeanSMClockMHz:     Num(d.clock.mean()),
		MaxTempC:           Num(d.temp.peak()),
		Unsupported:        sortedKeys(d.unsupported),
	}
	if d.procListed {
		ds.PeakProcessMiB = Num(d.proc.peak())
	}
	return ds
}

// sumOver adds a per-device value over the summarized set, skipping devices
// where it is missing; NaN when it is missing everywhere. For peaks this is
// the sum of per-device peaks: exact for one device, an upper bound for more.
func sumOver(devices []deviceStats, set []int, f func(d *deviceStats) float64) Num {
	total, any := 0.0, false
	for _, i := range set {
		if v := f(&devices[i]); !math.IsNaN(v) {
			total += v
			any = true
		}
	}
	if !any {
		return NaN()
	}
	return Num(total)
}

func mergeRunning(into, from *running) {
	if from.n == 0 {
		return
	}
	if into.n == 0 || from.max > into.max {
		into.max = from.max
	}
	into.n += from.n
	into.sum += from.sum
}

func sortedKeys(m map[string]bool) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
