package backend

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
)

// noGPUFinder is a Finder for a machine with nothing: no GPU, no plugins.
func noGPUFinder(t *testing.T, env map[string]string) Finder {
	root := t.TempDir()
	return Finder{
		Getenv:     envFunc(env),
		GPUMarkers: []string{filepath.Join(root, "dev/nvidia[0-9]*")},
		GoXLADirs:  []string{filepath.Join(root, "go-xla")},
	}
}

// computes checks the backend really runs a graph: 2·x.
func computes(t *testing.T, b backends.Backend) {
	t.Helper()
	out := MustExecOnce(b, func(x *Node) *Node { return MulScalar(x, 2) }, []float32{1, 2, 3})
	if got := out.Value().([]float32); got[0] != 2 || got[2] != 6 {
		t.Fatalf("2·[1 2 3] = %v", got)
	}
}

// isolate keeps the process-wide variables Open sets from leaking between tests.
func isolate(t *testing.T) {
	for _, k := range []string{"XLA_FLAGS", "GOPJRT_CUDA_CHECKS", "GOMLX_NO_AUTO_INSTALL"} {
		t.Setenv(k, "")
	}
}

func TestOpenFallsBackOrFails(t *testing.T) {
	isolate(t)
	root := t.TempDir()
	gpuMarker := touch(t, root, "dev/nvidia0", "")
	// Not an ELF file: dlopen must refuse it with an error, not crash.
	fakePlugin := touch(t, root, "venv/lib/python3.12/site-packages/jax_plugins/xla_cuda13/xla_cuda_plugin.so", "not a shared library\n")
	withGPU := func(plugin bool) Finder {
		f := noGPUFinder(t, nil)
		f.GPUMarkers = []string{gpuMarker}
		if plugin {
			f.SitePackages = []string{filepath.Join(root, "venv/lib/python3*/site-packages")}
		}
		return f
	}
	tests := []struct {
		name       string
		finder     Finder
		spec       string
		wantName   string // "" = want an error
		wantInText []string
	}{
		{"go", noGPUFinder(t, nil), "go", "go (SimpleGo)", []string{"as requested"}},
		{"auto without GPU", noGPUFinder(t, nil), "auto", "go (SimpleGo)", []string{"auto: no NVIDIA GPU", "nvidia[0-9]* absent", "→ SimpleGo"}},
		{"auto with GPU, no plugin", withGPU(false), "auto", "go (SimpleGo)", []string{"auto: NVIDIA GPU", "no CUDA PJRT plugin", `pip install "jax[cuda13]"`, "→ SimpleGo"}},
		{"auto with GPU and a broken plugin is an error", withGPU(true), "auto", "", []string{"loading PJRT plugin", fakePlugin}},
		{"xla:cuda without GPU", noGPUFinder(t, nil), "xla:cuda", "", []string{"xla:cuda: no NVIDIA GPU"}},
		{"xla:cuda without plugin", withGPU(false), "xla:cuda", "", []string{"no CUDA PJRT plugin", "jax[cuda13]"}},
		{"xla:cpu without plugin", noGPUFinder(t, nil), "xla:cpu", "", []string{"no pjrt_c_api_cpu_plugin.so", "go-xla", "--backend go"}},
		{"missing plugin path", noGPUFinder(t, nil), "xla:/nonexistent/dir/pjrt_c_api_cuda_plugin.so", "", []string{"/nonexistent/dir/pjrt_c_api_cuda_plugin.so", "no such file"}},
		{"plugin path is a folder", noGPUFinder(t, nil), "xla:" + root, "", []string{"is not a plugin file"}},
		{"broken plugin path", noGPUFinder(t, nil), "xla:" + fakePlugin, "", []string{"loading PJRT plugin", fakePlugin}},
		{"unknown spec", noGPUFinder(t, nil), "tpu", "", []string{`"tpu"`, "must be auto, go"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, info, err := tc.finder.Open(tc.spec)
			if tc.wantName == "" {
				if err == nil {
					t.Fatalf("Open(%q) = %+v, want an error", tc.spec, info)
				}
				for _, w := range tc.wantInText {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Open(%q): %v", tc.spec, err)
			}
			defer b.Finalize()
			if info.Name != tc.wantName || info.IsGPU || !strings.HasPrefix(info.Device, "CPU (") {
				t.Fatalf("Open(%q) info = %+v", tc.spec, info)
			}
			for _, w := range tc.wantInText {
				if !strings.Contains(info.Reason, w) {
					t.Errorf("reason %q lacks %q", info.Reason, w)
				}
			}
			if strings.Contains(info.Reason, "\n") {
				t.Errorf("reason must be one line: %q", info.Reason)
			}
			computes(t, b)
		})
	}
}

func TestOpenChecksExtraFlagsBeforeLoading(t *testing.T) {
	isolate(t)
	root := t.TempDir()
	plugin := touch(t, root, "pjrt_c_api_cuda_plugin.so", "\x00xla_gpu_autotune_level\x00xla_dump_to\x00")
	tests := []struct {
		flags, want string
	}{
		{"autotune=0", `ALEXBENCH_XLA_FLAGS: "autotune=0" is not an XLA flag`},
		{"--xla_gpu_autotune_levle=0", "xla_gpu_autotune_levle (from ALEXBENCH_XLA_FLAGS / XLA_FLAGS) unknown to plugin"},
		// Known flags pass the check; the fake file then fails to load.
		{"--xla_gpu_autotune_level=1", "loading PJRT plugin"},
	}
	for _, tc := range tests {
		f := noGPUFinder(t, map[string]string{ExtraFlagsEnv: tc.flags})
		_, _, err := f.Open("xla:" + plugin)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%q: err = %v, want %q", ExtraFlagsEnv, tc.flags, err, tc.want)
		}
	}
}

func TestOpenRealMachine(t *testing.T) {
	// Whatever this machine has, auto must give a working backend and say why.
	b, info, err := Open("auto")
	if err != nil {
		t.Fatalf("Open(auto): %v", err)
	}
	defer b.Finalize()
	if info.Reason == "" || !strings.HasPrefix(info.Reason, "auto: ") {
		t.Fatalf("reason = %q", info.Reason)
	}
	if DefaultFinder().GPU() == "" && info.Name != "go (SimpleGo)" {
		t.Fatalf("no GPU here, yet auto chose %q", info.Name)
	}
	t.Log(info)
	computes(t, b)
}

func TestOpenNeutralisesGoXLAHardCodedPath(t *testing.T) {
	isolate(t)
	t.Setenv("XLA_FLAGS", "--xla_dump_to=/tmp/hlo")
	t.Setenv("GOPJRT_CUDA_CHECKS", "1")
	root := t.TempDir()
	// go-xla's installer layout: <lib>/go-xla/nvidia/{pjrt_c_api_cuda_plugin.so, bin/ptxas, cu13/...}.
	plugin := touch(t, root, "go-xla/nvidia/pjrt_c_api_cuda_plugin.so", "\x00xla_gpu_autotune_level\x00xla_dump_to\x00")
	f := noGPUFinder(t, map[string]string{ExtraFlagsEnv: "--xla_gpu_autotune_level=1", "XLA_FLAGS": "--xla_dump_to=/tmp/hlo"})
	if _, _, err := f.Open("xla:" + plugin); err == nil {
		t.Fatal("a fake plugin must not load")
	}
	// The environment is fixed before the plugin loads, so it is visible even though loading failed.
	want := "--xla_dump_to=/tmp/hlo --xla_gpu_cuda_data_dir=" + filepath.Join(root, "go-xla/nvidia") + " --xla_gpu_autotune_level=1"
	if got := os.Getenv("XLA_FLAGS"); got != want {
		t.Errorf("XLA_FLAGS = %q, want %q", got, want)
	}
	if got := os.Getenv("GOPJRT_CUDA_CHECKS"); got != "0" {
		t.Errorf("GOPJRT_CUDA_CHECKS = %q, want 0 (go-xla's check writes a foreign path)", got)
	}
	if got := os.Getenv("GOMLX_NO_AUTO_INSTALL"); got != "1" {
		t.Errorf("GOMLX_NO_AUTO_INSTALL = %q, want 1", got)
	}
}
