package nvml

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The process's peak RSS comes from VmHWM in /proc/self/status. The kernel
// keeps it for the process's lifetime; writing "5" to /proc/self/clear_refs
// (Linux ≥ 4.0) resets it to the current RSS, which Start does so that each
// cell gets its own peak. Where that write fails (old kernel, restricted
// /proc) a goroutine samples VmRSS instead (rssPoller), and the reason says
// so: a peak between two samples can be missed.

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
func readPeakRSS(procDir string) (float64, error) { return readStatusMiB(procDir, "VmHWM") }

// readStatusMiB returns one "Field: N kB" line of procDir/status in MiB.
func readStatusMiB(procDir, field string) (float64, error) {
	path := filepath.Join(procDir, "status")
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), field+":")
		if !ok {
			continue
		}
		fields := strings.Fields(rest) // "123456 kB"
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("reading %s: unexpected %s line %q", path, field, sc.Text())
		}
		kb, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("reading %s: %s: %w", path, field, err)
		}
		return float64(kb) / 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("reading %s: %w", path, err)
	}
	return 0, fmt.Errorf("reading %s: no %s line", path, field)
}

// peakRSS reads VmHWM and explains it, given how the reset at Start went;
// where the reset failed, polled holds VmRSS sampled during the cell.
func peakRSS(procDir string, resetErr error, polled *rssPoller) (Num, string) {
	status := filepath.Join(procDir, "status")
	if resetErr != nil && polled != nil {
		peak, n, every, err := polled.stop()
		if n > 0 {
			return Num(peak), fmt.Sprintf("max of %d VmRSS samples from %s every %v (VmHWM could not be reset at Start: %v; a peak between samples can be missed)",
				n, status, every, resetErr)
		}
		if err != nil {
			return NaN(), fmt.Sprintf("peak RSS unknown: VmHWM could not be reset (%v) and VmRSS could not be read: %v", resetErr, err)
		}
	}
	v, err := readPeakRSS(procDir)
	if err != nil {
		return NaN(), "peak RSS unknown: " + err.Error()
	}
	if resetErr != nil {
		return Num(v), fmt.Sprintf("VmHWM from %s, not reset at Start (%v): peak since the process started", status, resetErr)
	}
	return Num(v), fmt.Sprintf("VmHWM from %s, reset at Start by writing 5 to %s", status, filepath.Join(procDir, "clear_refs"))
}

// rssPoller samples VmRSS every interval until stopped, keeping the maximum:
// the per-cell peak where VmHWM cannot be reset.
type rssPoller struct {
	every time.Duration
	quit  chan struct{}
	done  chan struct{}

	mu   sync.Mutex
	peak float64
	n    int
	err  error
}

func startRSSPoller(procDir string, every time.Duration) *rssPoller {
	p := &rssPoller{every: every, quit: make(chan struct{}), done: make(chan struct{})}
	sample := func() {
		v, err := readStatusMiB(procDir, "VmRSS")
		p.mu.Lock()
		defer p.mu.Unlock()
		if err != nil {
			p.err = err
			return
		}
		p.peak, p.n = max(p.peak, v), p.n+1
	}
	sample() // the cell's first moment, before any work
	go func() {
		defer close(p.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				sample() // and its last
				return
			case <-t.C:
				sample()
			}
		}
	}()
	return p
}

// stop ends the sampling and returns the maximum in MiB and the sample count.
func (p *rssPoller) stop() (peak float64, n int, every time.Duration, err error) {
	select {
	case <-p.quit:
	default:
		close(p.quit)
	}
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peak, p.n, p.every, p.err
}

// samples is how many VmRSS readings were taken so far.
func (p *rssPoller) samples() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}
