package nvml

import (
	"fmt"
	"math"

	gonvml "github.com/NVIDIA/go-nvml/pkg/nvml"
)

const bytesPerMiB = 1 << 20

// Field names, as Summary.Unsupported and error messages spell them.
const (
	fieldMemory      = "memory"
	fieldMemoryV2    = "memory_v2"
	fieldProcesses   = "processes"
	fieldUtilization = "utilization"
	fieldPower       = "power"
	fieldSMClock     = "sm_clock"
	fieldTemperature = "temperature"
	fieldEnergy      = "energy_counter"
)

// reading is one device at one instant. NaN marks a field that could not be
// read in this sample (unsupported, or a transient error).
type reading struct {
	usedMiB, freeMiB, totalMiB float64 // GetMemoryInfo
	usedV2MiB, reservedMiB     float64 // GetMemoryInfo_v2
	// procMiB is this process's memory on the device: 0 when the process list
	// was read and our PID is not in it (or NVML hides its usage), NaN when the
	// list could not be read. procFound says whether our PID was listed.
	procMiB   float64
	procFound bool
	utilGPU   float64 // percent
	utilMem   float64 // percent
	powerW    float64
	smClock   float64 // MHz
	tempC     float64
	energyMJ  float64 // the device's energy counter, millijoules
}

func missingReading() reading {
	nan := math.NaN()
	return reading{nan, nan, nan, nan, nan, nan, false, nan, nan, nan, nan, nan, nan}
}

// point is one sampling instant: t seconds after the run's first sample, one
// reading per sampled device, in the Sampler's device order.
type point struct {
	t        float64
	readings []reading
}

// fieldIssue is a field a poll could not read, without stopping sampling.
type fieldIssue struct {
	device int // position in the Sampler's device list
	field  string
	class  errorClass
	err    error
}

// poller reads one device's fields, collecting what failed. After a fatal
// error it stops reading: the device or the library is gone.
type poller struct {
	device int
	issues []fieldIssue
	fatal  error
}

// ok reports whether a call succeeded, recording why not.
func (p *poller) ok(field string, err error) bool {
	if err == nil {
		return true
	}
	if class := classify(err); class == classFatal {
		p.fatal = fmt.Errorf("%s: %w", field, err)
	} else {
		p.issues = append(p.issues, fieldIssue{device: p.device, field: field, class: class, err: err})
	}
	return false
}

// readDevice polls every field of one device. It returns at the first fatal
// error (p.fatal set); otherwise unreadable fields are NaN in the reading.
func readDevice(d Device, pid int, p *poller) reading {
	r := missingReading()
	if m, err := d.MemoryInfo(); p.ok(fieldMemory, err) {
		r.usedMiB, r.freeMiB, r.totalMiB = mib(m.Used), mib(m.Free), mib(m.Total)
	} else if p.fatal != nil {
		return r
	}
	if m, err := d.MemoryInfoV2(); p.ok(fieldMemoryV2, err) {
		r.usedV2MiB, r.reservedMiB = mib(m.Used), mib(m.Reserved)
	} else if p.fatal != nil {
		return r
	}
	if procs, err := d.ComputeProcesses(); p.ok(fieldProcesses, err) {
		r.procMiB, r.procFound = processMemory(procs, pid)
	} else if p.fatal != nil {
		return r
	}
	if u, err := d.Utilization(); p.ok(fieldUtilization, err) {
		r.utilGPU, r.utilMem = float64(u.Gpu), float64(u.Memory)
	} else if p.fatal != nil {
		return r
	}
	if mw, err := d.PowerMilliwatts(); p.ok(fieldPower, err) {
		r.powerW = float64(mw) / 1000
	} else if p.fatal != nil {
		return r
	}
	if c, err := d.SMClockMHz(); p.ok(fieldSMClock, err) {
		r.smClock = float64(c)
	} else if p.fatal != nil {
		return r
	}
	if c, err := d.TemperatureC(); p.ok(fieldTemperature, err) {
		r.tempC = float64(c)
	} else if p.fatal != nil {
		return r
	}
	if e, err := d.EnergyMillijoules(); p.ok(fieldEnergy, err) {
		r.energyMJ = float64(e)
	}
	return r
}

// processMemory sums the entries for pid (a process can appear once per MIG
// instance). NVML lists host PIDs: inside a container our PID is not there,
// which the caller answers with the device-delta fallback. An entry whose
// usage NVML hides (VALUE_NOT_AVAILABLE, e.g. without permission) counts as
// not found, for the same reason.
func processMemory(procs []gonvml.ProcessInfo, pid int) (miB float64, found bool) {
	const notAvailable = ^uint64(0) // NVML_VALUE_NOT_AVAILABLE as an unsigned long long
	var total uint64
	for _, p := range procs {
		if int(p.Pid) != pid || p.UsedGpuMemory == notAvailable {
			continue
		}
		total += p.UsedGpuMemory
		found = true
	}
	return mib(total), found
}

func mib(bytes uint64) float64 { return float64(bytes) / bytesPerMiB }
