package nvml

import (
	"strings"
	"testing"

	gonvml "github.com/NVIDIA/go-nvml/pkg/nvml"
)

func TestDeviceMemoryMiB(t *testing.T) {
	lib := &fakeLibrary{devices: []*fakeDevice{{name: "H200", steps: []fakeStep{{mem: gonvml.Memory{Total: 143771 << 20}}}}}}
	got, err := DeviceMemoryMiB(lib, 0)
	if err != nil || got != 143771 || lib.shutdowns != 1 {
		t.Fatalf("DeviceMemoryMiB = %v, %v (shutdowns %d); want 143771 MiB and NVML shut down", got, err, lib.shutdowns)
	}
	if _, err := DeviceMemoryMiB(lib, 1); err == nil || !strings.Contains(err.Error(), "sees 1 devices") {
		t.Fatalf("device 1 of 1: err %v", err)
	}
	if _, err := DeviceMemoryMiB(&fakeLibrary{initErr: gonvml.ERROR_LIBRARY_NOT_FOUND}, 0); err == nil || !strings.Contains(err.Error(), "no NVIDIA driver") {
		t.Fatalf("no driver: err %v", err)
	}
}
