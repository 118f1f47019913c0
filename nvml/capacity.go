package nvml

import "fmt"

// DeviceMemoryMiB is the total memory of GPU index as NVML reports it (lib
// nil: the real library): what `run --jobs` packs cells into.
func DeviceMemoryMiB(lib Library, index int) (float64, error) {
	if lib == nil {
		lib = NewLibrary()
	}
	if err := lib.Init(); err != nil {
		return 0, fmt.Errorf("nvml: %s", describeInitError(err))
	}
	defer lib.Shutdown()
	if n, err := lib.DeviceCount(); err != nil || index < 0 || index >= n {
		return 0, fmt.Errorf("nvml: device %d: NVML sees %d devices (%v)", index, n, err)
	}
	dev, err := lib.Device(index)
	if err != nil {
		return 0, fmt.Errorf("nvml: opening device %d: %w", index, err)
	}
	m, err := dev.MemoryInfo()
	if err != nil {
		return 0, fmt.Errorf("nvml: memory of device %d: %w", index, err)
	}
	return float64(m.Total) / bytesPerMiB, nil
}
