package nvml

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	gonvml "github.com/NVIDIA/go-nvml/pkg/nvml"
)

// Defaults for Options.
const (
	DefaultInterval    = 100 * time.Millisecond
	DefaultMaxPoints   = 4096 // 6.8 minutes at 100 ms before the timeline decimates
	DefaultStopTimeout = 2 * time.Second
	// CSVName is the timeline's file name in a cell's folder.
	CSVName = "nvml.csv"
)

// Options configure a Sampler. The zero value samples every GPU every 100 ms
// through the real NVML library.
type Options struct {
	// Interval between samples (default 100 ms).
	Interval time.Duration
	// MaxPoints bounds the timeline kept for nvml.csv (default 4096 sampling
	// instants; beyond that it decimates, see timeline.go). Summary statistics
	// are exact whatever this is.
	MaxPoints int
	// Devices are the NVML indices to sample; nil samples all of them. NVML
	// numbers by PCI bus, which CUDA_VISIBLE_DEVICES does not always follow.
	Devices []int
	// PID is the process whose GPU memory is measured (default: this one).
	PID int
	// Disabled, when not empty, skips NVML and says why in the summary
	// ("NVML unavailable: <Disabled>"), e.g. for a cell on the CPU backend.
	Disabled string
	// Library is the NVML implementation (default: NewLibrary()). Tests pass a fake.
	Library Library
	// StopTimeout bounds how long Stop waits for the sampling goroutine, which
	// may be inside a hung NVML call (default 2 s plus one interval).
	StopTimeout time.Duration

	// Test hooks: the clock read once per sample, a tick source replacing the
	// ticker, and the /proc/self directory.
	now     func() time.Time
	ticks   <-chan time.Time
	procDir string
}

func (o Options) withDefaults() Options {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.MaxPoints <= 0 {
		o.MaxPoints = DefaultMaxPoints
	}
	if o.PID == 0 {
		o.PID = os.Getpid()
	}
	if o.StopTimeout <= 0 {
		o.StopTimeout = DefaultStopTimeout + o.Interval
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.procDir == "" {
		o.procDir = "/proc/self"
	}
	return o
}

// sampledDevice is a device the Sampler polls, fixed at New.
type sampledDevice struct {
	index int
	name  string
	dev   Device
}

// Sampler measures a cell's memory, utilization and energy. Create one with
// New, then bracket each cell with Start(dir)/Stop() (the harness's runner
// interface) or Begin(ctx)/End(). One run at a time; it may be reused for any
// number of runs. NVML stays initialized until Close.
type Sampler struct {
	opts    Options
	lib     Library // nil on the RSS path
	reason  string  // why NVML is not used
	driver  string
	devices []sampledDevice
	names   []string // "GPU i (name)", for messages

	mu   sync.Mutex
	cur  *run   // the run in progress
	last *run   // the newest run, in progress or ended (WriteCSV's source)
	dir  string // Start's results folder
}

// New returns a Sampler on NVML when it can initialize NVML and find the
// requested devices, and otherwise one on the RSS fallback whose summaries say
// "NVML unavailable: <reason>". It never fails: a cell always gets a summary.
func New(opts Options) *Sampler {
	s := &Sampler{opts: opts.withDefaults()}
	if s.opts.Disabled != "" {
		s.reason = "NVML unavailable: " + s.opts.Disabled
		return s
	}
	lib := s.opts.Library
	if lib == nil {
		lib = NewLibrary()
	}
	if err := lib.Init(); err != nil {
		s.reason = "NVML unavailable: " + describeInitError(err)
		return s
	}
	if err := s.openDevices(lib); err != nil {
		lib.Shutdown()
		s.reason = "NVML unavailable: " + err.Error()
		return s
	}
	s.lib = lib
	if v, err := lib.DriverVersion(); err == nil {
		s.driver = v
	}
	return s
}

func describeInitError(err error) string {
	if errors.Is(err, gonvml.ERROR_LIBRARY_NOT_FOUND) {
		return "libnvidia-ml.so.1 could not be loaded (ERROR_LIBRARY_NOT_FOUND): no NVIDIA driver on this machine"
	}
	return fmt.Sprintf("nvmlInit: %v", err)
}

func (s *Sampler) openDevices(lib Library) error {
	n, err := lib.DeviceCount()
	if err != nil {
		return fmt.Errorf("counting devices: %w", err)
	}
	if n == 0 {
		return errors.New("NVML sees no GPU")
	}
	indices := s.opts.Devices
	if indices == nil {
		for i := range n {
			indices = append(indices, i)
		}
	}
	for _, i := range indices {
		if i < 0 || i >= n {
			return fmt.Errorf("device %d requested, NVML sees %d", i, n)
		}
		dev, err := lib.Device(i)
		if err != nil {
			return fmt.Errorf("opening device %d: %w", i, err)
		}
		name, err := dev.Name()
		if err != nil {
			name = fmt.Sprintf("GPU %d", i)
		}
		s.devices = append(s.devices, sampledDevice{index: i, name: name, dev: dev})
		s.names = append(s.names, fmt.Sprintf("device %d (%s)", i, name))
	}
	return nil
}

// Available reports whether NVML is in use, and if not, why.
func (s *Sampler) Available() (bool, string) { return s.lib != nil, s.reason }

// Start begins sampling a cell whose results folder is dir (the harness
// runner's interface). A run still in progress is ended and discarded first.
func (s *Sampler) Start(dir string) {
	s.mu.Lock()
	running := s.cur != nil
	s.mu.Unlock()
	if running {
		s.End()
	}
	s.mu.Lock()
	s.dir = dir
	s.mu.Unlock()
	_ = s.Begin(context.Background()) // fails only when a run is in progress, excluded above
}

// Stop ends the run begun by Start, writes dir/nvml.csv when GPU samples were
// taken, and returns the Summary (a value) for summary.json's "memory" field.
func (s *Sampler) Stop() Summary {
	sum := s.End()
	s.mu.Lock()
	dir := s.dir
	s.dir = ""
	s.mu.Unlock()
	if dir != "" && sum.Samples > 0 {
		if err := s.WriteCSV(filepath.Join(dir, CSVName)); err != nil {
			sum.Error = joinErrors(sum.Error, err.Error())
		} else {
			sum.Timeline = CSVName
		}
	}
	return sum
}

var errAlreadyStarted = errors.New("nvml: sampler already started")

// Begin starts a run: it resets the peak RSS, takes the first sample (the
// device-delta baseline) synchronously, so it is taken before the cell's work,
// and starts the sampling goroutine. Cancelling ctx stops sampling early; End
// still returns the summary. The only error is a run already in progress.
func (s *Sampler) Begin(ctx context.Context) error {
	s.mu.Lock()
	if s.cur != nil {
		s.mu.Unlock()
		return errAlreadyStarted
	}
	r := newRun(len(s.devices), s.opts.MaxPoints)
	// Resetting VmHWM sets it to the current RSS, and the Go runtime keeps
	// the pages of an earlier cell's heap (a cnn28 cell's gigabytes) until it
	// decides to return them: hand them back first, or the next cell's peak
	// is the last one's.
	debug.FreeOSMemory()
	r.resetErr = resetPeakRSS(s.opts.procDir)
	if r.resetErr != nil {
		r.rss = startRSSPoller(s.opts.procDir, s.opts.Interval)
	}
	s.cur, s.last = r, r
	s.mu.Unlock()
	if s.lib == nil {
		return nil
	}
	r.start = s.opts.now()
	if !s.sample(r, r.start) {
		return nil // the device is gone already; the summary says so
	}
	ctx, cancel := context.WithCancel(ctx)
	r.cancel, r.done = cancel, make(chan struct{})
	go s.loop(ctx, r)
	return nil
}

// loop samples on every tick until ctx is cancelled or a device is lost. It
// never waits on the training side: a slow NVML call only delays its own next
// sample (the ticker drops ticks rather than queueing them).
func (s *Sampler) loop(ctx context.Context, r *run) {
	defer close(r.done)
	ticks := s.opts.ticks
	if ticks == nil {
		ticker := time.NewTicker(s.opts.Interval)
		defer ticker.Stop()
		ticks = ticker.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-ticks:
			if !ok {
				return
			}
		}
		if !s.sample(r, s.opts.now()) {
			return
		}
	}
}

// sample polls every device at time t and records the result; false means
// sampling must stop (a fatal NVML error, or the run has ended).
func (s *Sampler) sample(r *run, t time.Time) bool {
	s.mu.Lock()
	steady := r.marked
	s.mu.Unlock()
	p := point{t: t.Sub(r.start).Seconds(), readings: make([]reading, len(s.devices))}
	var issues []fieldIssue
	var fatal error
	for i, d := range s.devices {
		pl := poller{device: i}
		p.readings[i] = readDevice(d.dev, s.opts.PID, &pl)
		issues = append(issues, pl.issues...)
		if pl.fatal != nil {
			fatal = fmt.Errorf("sampling stopped at t=%.3fs: %s: %w", p.t, s.names[i], pl.fatal)
			break
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.ended {
		return false
	}
	if fatal != nil {
		r.err = append(r.err, fatal.Error())
		return false
	}
	r.record(p, steady, issues, s.names)
	return true
}

// Mark says the cell's first train step has finished: samples begun from now
// on also count toward Summary.SteadyPeakMiB. It only sets a flag, so the
// training loop that calls it never waits on NVML. Without a run it does nothing.
func (s *Sampler) Mark() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil {
		s.cur.marked = true
	}
}

// End stops the run and returns its Summary. Without a run in progress it
// returns a summary whose Error says so.
func (s *Sampler) End() Summary {
	s.mu.Lock()
	r := s.cur
	s.cur = nil
	s.mu.Unlock()
	if r == nil {
		sum := s.emptySummary()
		sum.Error = "nvml: Stop without Start"
		return sum
	}
	var late string
	if r.cancel != nil {
		r.cancel()
		select {
		case <-r.done:
		case <-time.After(s.opts.StopTimeout):
			late = fmt.Sprintf("sampler goroutine still inside an NVML call %v after Stop; summary has the samples before it", s.opts.StopTimeout)
		}
	}
	s.mu.Lock()
	r.ended = true
	var sum Summary
	if r.samples > 0 {
		sum = r.summarize(s)
	} else {
		// No GPU sample (no NVML, or the device was lost before the first):
		// the cell's memory is its RSS.
		sum = s.emptySummary()
		sum.Error = strings.Join(r.err, "; ")
		if s.lib != nil {
			sum.Reason = "NVML unavailable: no sample taken: " + sum.Error
		}
	}
	s.mu.Unlock()
	if late != "" {
		sum.Error = joinErrors(sum.Error, late)
	}
	sum.PeakRSSMiB, sum.RSSReason = peakRSS(s.opts.procDir, r.resetErr, r.rss)
	if sum.Method == MethodRSS {
		sum.PeakMiB = sum.PeakRSSMiB
	}
	return sum
}

// emptySummary is the summary of a run without GPU samples: the RSS path.
func (s *Sampler) emptySummary() Summary {
	nan := NaN()
	return Summary{
		Available: false, Reason: s.reason, Method: MethodRSS,
		IntervalMS: float64(s.opts.Interval) / float64(time.Millisecond),
		Driver:     s.driver,
		PeakMiB:    nan, StartMiB: nan, SteadyPeakMiB: nan, SteadyFromS: nan, BaselineMiB: nan, PeakDeviceUsedMiB: nan, PeakDeviceUsedV2MiB: nan,
		ReservedMiB: nan, TotalMiB: nan, MeanUtilGPU: nan, P95UtilGPU: nan, MeanUtilMem: nan,
		P95UtilMem: nan, EnergyJ: nan, EnergyCounterJ: nan, MeanPowerW: nan, PeakPowerW: nan,
		MeanSMClockMHz: nan, MaxTempC: nan, PeakRSSMiB: nan,
	}
}

// Close ends any run in progress and shuts NVML down. Call it after the last
// Stop; later runs would find NVML uninitialized and say so in their summary.
func (s *Sampler) Close() error {
	s.mu.Lock()
	running := s.cur != nil
	s.mu.Unlock()
	if running {
		s.End()
	}
	if s.lib == nil {
		return nil
	}
	if err := s.lib.Shutdown(); err != nil {
		return fmt.Errorf("nvml shutdown: %w", err)
	}
	return nil
}

func joinErrors(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
