package nvml

import (
	"bufio"
	"fmt"
	"math"
	"strconv"

	"alexbench/internal/atomicfile"
)

// csvHeader is nvml.csv's columns: one row per sampling instant and device.
// Memory in MiB; mem_used_mib is GetMemoryInfo's used, mem_reserved_mib and
// mem_used_v2_mib are GetMemoryInfo_v2's; proc_mib is this process's memory by
// the run's method (its NVML entry, or the device delta over the baseline).
// Empty cells are values the device did not report in that sample.
var csvHeader = []string{
	"t_s", "device", "mem_used_mib", "mem_reserved_mib", "proc_mib", "util_gpu", "util_mem",
	"power_w", "sm_clock_mhz", "temp_c", "mem_used_v2_mib", "mem_total_mib",
}

// WriteCSV writes the newest run's time series (in progress or ended) to path,
// atomically: a temp file in the same folder, renamed over path once complete.
func (s *Sampler) WriteCSV(path string) error {
	s.mu.Lock()
	r := s.last
	var series []point
	var method string
	var baselines []float64
	if r != nil {
		series = r.timeline.series()
		method, _ = r.method()
		for _, d := range r.devices {
			baselines = append(baselines, d.baseline)
		}
	}
	s.mu.Unlock()
	if r == nil {
		return fmt.Errorf("writing %s: no run to write", path)
	}
	err := atomicfile.WriteWith(path, func(w *bufio.Writer) error {
		return writeRows(w, series, s.devices, method, baselines)
	})
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func writeRows(w *bufio.Writer, series []point, devices []sampledDevice, method string, baselines []float64) error {
	writeLine(w, csvHeader)
	for _, p := range series {
		for i, rd := range p.readings {
			proc := rd.procMiB
			if method == MethodDeviceDelta {
				proc = deviceDelta(rd.usedMiB, baselines[i])
			}
			writeLine(w, []string{
				strconv.FormatFloat(p.t, 'f', 3, 64),
				strconv.Itoa(devices[i].index),
				cell(rd.usedMiB, 1), cell(rd.reservedMiB, 1), cell(proc, 1),
				cell(rd.utilGPU, 0), cell(rd.utilMem, 0), cell(rd.powerW, 3),
				cell(rd.smClock, 0), cell(rd.tempC, 0), cell(rd.usedV2MiB, 1), cell(rd.totalMiB, 1),
			})
		}
	}
	return w.Flush()
}

func writeLine(w *bufio.Writer, fields []string) {
	for i, f := range fields {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString(f) // numbers only: no quoting needed
	}
	w.WriteByte('\n')
}

// cell formats a value, or nothing when it is missing.
func cell(v float64, decimals int) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}
