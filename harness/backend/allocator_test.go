package backend

import (
	"maps"
	"strings"
	"testing"
)

func TestGPUAllocatorOptions(t *testing.T) {
	tests := []struct {
		value   string
		options map[string]any
		desc    string
	}{
		{"", map[string]any{"preallocate": false}, "bfc, preallocate=false"},
		{"bfc", map[string]any{"preallocate": false}, "bfc, preallocate=false"},
		{"platform", map[string]any{"preallocate": false, "allocator": "platform"}, "platform (cudaMalloc/cudaFree per buffer, no pool)"},
		{"cuda_async", map[string]any{"preallocate": false, "allocator": "cuda_async"}, "cuda_async (stream-ordered driver pool), preallocate=false"},
	}
	for _, tc := range tests {
		opts, desc, err := gpuAllocator(tc.value)
		if err != nil || !maps.Equal(opts, tc.options) || desc != tc.desc {
			t.Errorf("gpuAllocator(%q) = %v, %q, %v; want %v, %q", tc.value, opts, desc, err, tc.options, tc.desc)
		}
		// go-xla turns a Go bool into PJRT's kBool and a string into kString,
		// the types the CUDA plugin checks these options against.
		for k, v := range opts {
			switch v.(type) {
			case bool, string:
			default:
				t.Errorf("option %s has Go type %T; the plugin wants a bool or a string", k, v)
			}
		}
	}
}

// A misspelt allocator is refused before the plugin is loaded, naming the
// variable and the choices; a valid one gets as far as loading the plugin.
func TestOpenChecksAllocatorBeforeLoading(t *testing.T) {
	isolate(t)
	plugin := touch(t, t.TempDir(), "pjrt_c_api_cuda_plugin.so", "\x00xla_gpu_autotune_level\x00")
	tests := []struct{ value, want string }{
		{"Platform", `ALEXBENCH_XLA_ALLOCATOR: "Platform" is not one of bfc, platform, cuda_async`},
		{"platform", "loading PJRT plugin"},
	}
	for _, tc := range tests {
		f := noGPUFinder(t, map[string]string{AllocatorEnv: tc.value})
		_, _, err := f.Open("xla:" + plugin)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%q: err = %v, want %q", AllocatorEnv, tc.value, err, tc.want)
		}
	}
}
