package nvml

import (
	"errors"

	gonvml "github.com/NVIDIA/go-nvml/pkg/nvml"
)

// Library is the part of NVML the Sampler uses. The real one (NewLibrary) is a
// thin layer over go-nvml; tests use a fake that replays a recorded series.
// Every error an implementation returns for an NVML failure should be (or wrap)
// a go-nvml Return, so the Sampler can tell a lost GPU from an unsupported field.
type Library interface {
	Init() error
	Shutdown() error
	DriverVersion() (string, error)
	DeviceCount() (int, error)
	Device(index int) (Device, error)
}

// Device is one GPU as the Sampler polls it.
type Device interface {
	Name() (string, error)
	MemoryInfo() (gonvml.Memory, error)
	MemoryInfoV2() (gonvml.Memory_v2, error)
	ComputeProcesses() ([]gonvml.ProcessInfo, error)
	Utilization() (gonvml.Utilization, error)
	PowerMilliwatts() (uint32, error)
	SMClockMHz() (uint32, error)
	TemperatureC() (uint32, error)
	// EnergyMillijoules is the device's energy counter since the driver loaded
	// (Volta and newer); it cross-checks the trapezoid integral of power.
	EnergyMillijoules() (uint64, error)
}

// errorClass says what a failed NVML call means for sampling.
type errorClass int

const (
	// classTransient: this field is missing from this sample; keep sampling.
	classTransient errorClass = iota
	// classUnsupported: the device or driver does not report this field.
	classUnsupported
	// classFatal: the device or the library is gone; stop sampling.
	classFatal
)

func classify(err error) errorClass {
	var ret gonvml.Return
	if !errors.As(err, &ret) {
		return classTransient
	}
	switch ret {
	case gonvml.ERROR_NOT_SUPPORTED, gonvml.ERROR_FUNCTION_NOT_FOUND:
		// FUNCTION_NOT_FOUND: an older driver without e.g. GetMemoryInfo_v2.
		return classUnsupported
	case gonvml.ERROR_GPU_IS_LOST, gonvml.ERROR_RESET_REQUIRED, gonvml.ERROR_UNINITIALIZED,
		gonvml.ERROR_DRIVER_NOT_LOADED, gonvml.ERROR_LIB_RM_VERSION_MISMATCH,
		gonvml.ERROR_LIBRARY_NOT_FOUND:
		return classFatal
	}
	return classTransient
}
