package nvml

import (
	"errors"
	"sync"

	gonvml "github.com/NVIDIA/go-nvml/pkg/nvml"
)

// fakeLibrary replays a recorded series: device d's k-th call of a method
// answers from d.steps[k]. Each poll calls every method once per device, so
// step k is the k-th sample (step 0 is the one Begin takes).
type fakeLibrary struct {
	initErr   error
	countErr  error
	driver    string
	devices   []*fakeDevice
	shutdowns int
}

type fakeDevice struct {
	name  string
	steps []fakeStep
	// repeat answers the last step forever instead of errExhausted.
	repeat bool
	// block, when not nil, makes MemoryInfo wait on it (a hung driver call).
	block chan struct{}

	mu    sync.Mutex
	calls map[string]int
}

// fakeStep is one recorded sample of one device; a non-nil error replaces the
// value of its field.
type fakeStep struct {
	mem       gonvml.Memory
	memErr    error
	memV2     gonvml.Memory_v2
	memV2Err  error
	procs     []gonvml.ProcessInfo
	procsErr  error
	util      gonvml.Utilization
	utilErr   error
	powerMW   uint32
	powerErr  error
	clockMHz  uint32
	clockErr  error
	tempC     uint32
	tempErr   error
	energyMJ  uint64
	energyErr error
}

var errExhausted = errors.New("fake: recorded series exhausted")

func (l *fakeLibrary) Init() error     { return l.initErr }
func (l *fakeLibrary) Shutdown() error { l.shutdowns++; return nil }

func (l *fakeLibrary) DriverVersion() (string, error) { return l.driver, nil }

func (l *fakeLibrary) DeviceCount() (int, error) { return len(l.devices), l.countErr }

func (l *fakeLibrary) Device(i int) (Device, error) { return l.devices[i], nil }

func (d *fakeDevice) next(method string) (fakeStep, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.calls == nil {
		d.calls = map[string]int{}
	}
	k := d.calls[method]
	d.calls[method]++
	if k >= len(d.steps) {
		if !d.repeat || len(d.steps) == 0 {
			return fakeStep{}, errExhausted
		}
		k = len(d.steps) - 1
	}
	return d.steps[k], nil
}

func (d *fakeDevice) callCount(method string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls[method]
}

func (d *fakeDevice) Name() (string, error) { return d.name, nil }

func (d *fakeDevice) MemoryInfo() (gonvml.Memory, error) {
	if d.block != nil {
		<-d.block
	}
	s, err := d.next("MemoryInfo")
	return s.mem, firstErr(err, s.memErr)
}

func (d *fakeDevice) MemoryInfoV2() (gonvml.Memory_v2, error) {
	s, err := d.next("MemoryInfoV2")
	return s.memV2, firstErr(err, s.memV2Err)
}

func (d *fakeDevice) ComputeProcesses() ([]gonvml.ProcessInfo, error) {
	s, err := d.next("ComputeProcesses")
	return s.procs, firstErr(err, s.procsErr)
}

func (d *fakeDevice) Utilization() (gonvml.Utilization, error) {
	s, err := d.next("Utilization")
	return s.util, firstErr(err, s.utilErr)
}

func (d *fakeDevice) PowerMilliwatts() (uint32, error) {
	s, err := d.next("PowerMilliwatts")
	return s.powerMW, firstErr(err, s.powerErr)
}

func (d *fakeDevice) SMClockMHz() (uint32, error) {
	s, err := d.next("SMClockMHz")
	return s.clockMHz, firstErr(err, s.clockErr)
}

func (d *fakeDevice) TemperatureC() (uint32, error) {
	s, err := d.next("TemperatureC")
	return s.tempC, firstErr(err, s.tempErr)
}

func (d *fakeDevice) EnergyMillijoules() (uint64, error) {
	s, err := d.next("EnergyMillijoules")
	return s.energyMJ, firstErr(err, s.energyErr)
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
