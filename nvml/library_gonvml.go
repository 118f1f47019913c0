package nvml

import (
	gonvml "github.com/NVIDIA/go-nvml/pkg/nvml"
)

// NewLibrary is the real Library on go-nvml. Nothing is loaded until Init,
// which dlopens libnvidia-ml.so.1 and fails with ERROR_LIBRARY_NOT_FOUND on a
// machine without the NVIDIA driver.
func NewLibrary() Library {
	return goLibrary{lib: gonvml.New()}
}

type goLibrary struct {
	lib gonvml.Interface
}

// asError turns go-nvml's status into Go's convention: nil on success, else
// the Return itself (it implements error and is what classify looks for).
func asError(ret gonvml.Return) error {
	if ret == gonvml.SUCCESS {
		return nil
	}
	return ret
}

func (l goLibrary) Init() error     { return asError(l.lib.Init()) }
func (l goLibrary) Shutdown() error { return asError(l.lib.Shutdown()) }

func (l goLibrary) DriverVersion() (string, error) {
	v, ret := l.lib.SystemGetDriverVersion()
	return v, asError(ret)
}

func (l goLibrary) DeviceCount() (int, error) {
	n, ret := l.lib.DeviceGetCount()
	return n, asError(ret)
}

func (l goLibrary) Device(index int) (Device, error) {
	d, ret := l.lib.DeviceGetHandleByIndex(index)
	if ret != gonvml.SUCCESS {
		return nil, ret
	}
	return goDevice{d: d}, nil
}

type goDevice struct {
	d gonvml.Device
}

func (g goDevice) Name() (string, error) {
	v, ret := g.d.GetName()
	return v, asError(ret)
}

func (g goDevice) MemoryInfo() (gonvml.Memory, error) {
	v, ret := g.d.GetMemoryInfo()
	return v, asError(ret)
}

func (g goDevice) MemoryInfoV2() (gonvml.Memory_v2, error) {
	v, ret := g.d.GetMemoryInfo_v2()
	return v, asError(ret)
}

func (g goDevice) ComputeProcesses() ([]gonvml.ProcessInfo, error) {
	v, ret := g.d.GetComputeRunningProcesses()
	return v, asError(ret)
}

func (g goDevice) Utilization() (gonvml.Utilization, error) {
	v, ret := g.d.GetUtilizationRates()
	return v, asError(ret)
}

func (g goDevice) PowerMilliwatts() (uint32, error) {
	v, ret := g.d.GetPowerUsage()
	return v, asError(ret)
}

func (g goDevice) SMClockMHz() (uint32, error) {
	v, ret := g.d.GetClockInfo(gonvml.CLOCK_SM)
	return v, asError(ret)
}

func (g goDevice) TemperatureC() (uint32, error) {
	v, ret := g.d.GetTemperature(gonvml.TEMPERATURE_GPU)
	return v, asError(ret)
}

func (g goDevice) EnergyMillijoules() (uint64, error) {
	v, ret := g.d.GetTotalEnergyConsumption()
	return v, asError(ret)
}
