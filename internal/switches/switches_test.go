package switches

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	env := map[string]string{
		"ALEXBENCH_DATA": "/data", "ALEXBENCH_XLA_FLAGS": "--xla_gpu_autotune_level=1",
		"ALEXBENCH_XLA_ALLOCATOR": "platform", "ALEXBENCH_ECHARTS": "/e.js",
		"ALEXBENCH_FASTCPU": "off", "ALEXBENCH_FASTCPU_WORKERS": "3", "ALEXBENCH_FASTCPU_BLOCK_KIB": "-4",
		"ALEXBENCH_FASTCPU_PROFILE": "shapes", "ALEXBENCH_FASTCPU_DEBUG": "1",
		"ALEXBENCH_BLAS": "/lib/libblas.so.3", "ALEXBENCH_BLAS_THREADS": "two",
	}
	s := Parse(func(k string) string { return env[k] })
	want := Switches{DataDir: "/data", XLAFlags: "--xla_gpu_autotune_level=1", XLAAllocator: "platform", ECharts: "/e.js",
		FastCPU: FastCPU{Enabled: "off", Workers: 3, Profile: "shapes", Debug: true, BLAS: "/lib/libblas.so.3"}}
	if s != want {
		t.Errorf("Parse = %+v\nwant    %+v", s, want)
	}
	if !s.FastCPU.Off() || len(s.Warnings()) != 0 {
		t.Errorf("Off %v, warnings %q", s.FastCPU.Off(), s.Warnings())
	}
	// summary.json records what changes results or speed, not where files are.
	b, _ := json.Marshal(s)
	if strings.Contains(string(b), "/data") || strings.Contains(string(b), "/e.js") || !strings.Contains(string(b), `"xla_allocator":"platform"`) {
		t.Errorf("JSON %s", b)
	}
}

func TestFastCPUOff(t *testing.T) {
	for v, off := range map[string]bool{"": false, "1": false, "on": false, "0": true, "off": true, "false": true} {
		if got := (FastCPU{Enabled: v}).Off(); got != off {
			t.Errorf("Enabled %q: Off() = %v, want %v", v, got, off)
		}
	}
}

// The removed conv1 switch is not silently ignored.
func TestRemovedSwitchWarns(t *testing.T) {
	s := Parse(func(k string) string {
		if k == "ALEXBENCH_CONV1_S2D" {
			return "1"
		}
		return ""
	})
	if w := s.Warnings(); len(w) != 1 || !strings.Contains(w[0], "conv1") {
		t.Errorf("warnings %q", w)
	}
}
