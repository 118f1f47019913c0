package backend

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/backends/xla"

	"alexbench/internal/fastcpu"
)

// installHint is what a user with a GPU but no plugin should run.
const installHint = `pip install "jax[cuda13]" (or go-xla's installer where the network allows: go run github.com/gomlx/go-xla/cmd/pjrt_installer@latest -autoinstall)`

// Open creates the backend for spec on this machine; see Finder.Open.
func Open(spec string) (backends.Backend, Info, error) {
	return DefaultFinder().Open(spec)
}

// Open creates the backend for spec:
//   - "go": GoMLX's pure-Go SimpleGo.
//   - "auto": xla:cuda when an NVIDIA GPU and a CUDA plugin are both found,
//     else SimpleGo, with Info.Reason saying which was missing. A GPU and a
//     plugin that then fail to load is an error, not a silent CPU run.
//   - "xla:cuda": the CUDA plugin found by CUDAPlugin; an error without GPU or plugin.
//   - "xla:cpu": XLA's CPU plugin from go-xla's install directories.
//   - "xla:/abs/path/plugin.so": that plugin file.
func (f Finder) Open(spec string) (backends.Backend, Info, error) {
	switch {
	case spec == "go":
		return f.openGo("go: pure-Go SimpleGo backend, as requested")
	case spec == "auto":
		gpu := f.GPU()
		if gpu == "" {
			return f.openGo(fmt.Sprintf("auto: no NVIDIA GPU (%s absent) → SimpleGo", strings.Join(f.GPUMarkers, ", ")))
		}
		s := f.CUDAPlugin()
		if s.Found == "" {
			return f.openGo(fmt.Sprintf("auto: NVIDIA GPU (%s) but no CUDA PJRT plugin in %s; install with %s → SimpleGo",
				gpu, s.Summary(), installHint))
		}
		return f.openXLA("xla:cuda", s.Found, true, fmt.Sprintf("auto: NVIDIA GPU (%s) and CUDA plugin (%s) %s", gpu, s.From, s.Found))
	case spec == "xla:cuda":
		gpu := f.GPU()
		if gpu == "" {
			return nil, Info{}, fmt.Errorf("backend xla:cuda: no NVIDIA GPU (%s absent)", strings.Join(f.GPUMarkers, ", "))
		}
		s := f.CUDAPlugin()
		if s.Found == "" {
			return nil, Info{}, fmt.Errorf("backend xla:cuda: no CUDA PJRT plugin in %s; install with %s, or pass --backend xla:/abs/path/to/plugin.so",
				s.Summary(), installHint)
		}
		return f.openXLA("xla:cuda", s.Found, true, fmt.Sprintf("xla:cuda: CUDA plugin (%s) %s", s.From, s.Found))
	case spec == "xla:cpu":
		s := f.CPUPlugin()
		if s.Found == "" {
			return nil, Info{}, fmt.Errorf("backend xla:cpu: no pjrt_c_api_cpu_plugin.so in %s; install it with go run github.com/gomlx/go-xla/cmd/pjrt_installer@latest -autoinstall (needs network), or use --backend go",
				strings.Join(s.Dirs, ", "))
		}
		return f.openXLA("xla:cpu", s.Found, false, fmt.Sprintf("xla:cpu: CPU plugin (%s) %s", s.From, s.Found))
	case strings.HasPrefix(spec, "xla:/"):
		path := strings.TrimPrefix(spec, "xla:")
		fi, err := os.Stat(path)
		if err != nil {
			return nil, Info{}, fmt.Errorf("backend %s: plugin file: %w", spec, err)
		}
		if !fi.Mode().IsRegular() {
			return nil, Info{}, fmt.Errorf("backend %s: %s is not a plugin file (a .so)", spec, path)
		}
		isCUDA := looksCUDA(path)
		return f.openXLA(spec, path, isCUDA, fmt.Sprintf("%s: plugin given by path", spec))
	}
	return nil, Info{}, fmt.Errorf("backend %q: must be auto, go, xla:cuda, xla:cpu or xla:/abs/path/to/plugin.so", spec)
}

// SimpleGoConfig runs graph nodes one at a time (each op still uses every
// core). SimpleGo v0.26.0's default runs nodes in parallel on the same worker
// pool that its large DotGeneral waits on for batch splits: two such matmuls
// at once (AlexNet's dense gradients) deadlock it.
const SimpleGoConfig = "ops_sequential"

func (f Finder) openGo(reason string) (backends.Backend, Info, error) {
	b, err := simplego.New(SimpleGoConfig)
	if err != nil {
		return nil, Info{}, fmt.Errorf("creating SimpleGo backend: %w", err)
	}
	// Wrap adds the ops fastcpu executes and SimpleGo lacks (max pooling's
	// gradient); without fastcpu it returns b itself.
	return fastcpu.Wrap(b), Info{Name: "go (SimpleGo)", Device: fmt.Sprintf("CPU (%d cores)", runtime.NumCPU()), Reason: reason,
		CPUKernels: fastcpu.Status()}, nil
}

// looksCUDA guesses from the path, as go-xla does, whether a plugin drives NVIDIA GPUs.
func looksCUDA(path string) bool {
	base := strings.ToLower(filepath.Base(path))
	return strings.Contains(base, "cuda") || strings.Contains(base, "gpu") || strings.Contains(strings.ToLower(path), "nvidia")
}

// xlaMu serialises the process-wide environment changes and plugin loading.
var xlaMu sync.Mutex

// openXLA loads the plugin by absolute path with the environment fixed up
// first (go-xla and the plugin read it when the plugin loads and the client
// is created).
func (f Finder) openXLA(name, pluginPath string, isCUDA bool, reason string) (backends.Backend, Info, error) {
	xlaMu.Lock()
	defer xlaMu.Unlock()

	allocOptions, allocDesc, err := gpuAllocator(f.switches().XLAAllocator)
	if err != nil {
		return nil, Info{}, fmt.Errorf("backend %s: %w", name, err)
	}
	flags, cacheDir, err := f.xlaFlagsFor(name, pluginPath, isCUDA)
	if err != nil {
		return nil, Info{}, err
	}
	// Nothing is downloaded: the plugin is given by path, and auto-install off.
	xla.EnableAutoInstall(false)
	settings := map[string]string{
		xla.NoAutoInstallEnv: "1",
		// Turns off go-xla v0.1.4's cudaPluginCheckDrivers, which would write
		// a hard-coded foreign path into XLA_FLAGS.
		"GOPJRT_CUDA_CHECKS": "0",
		"XLA_FLAGS":          flags,
	}
	for k, v := range settings {
		if err := os.Setenv(k, v); err != nil {
			return nil, Info{}, fmt.Errorf("backend %s: setting %s: %w", name, k, err)
		}
	}

	config := pluginPath
	var options map[string]any
	info := Info{Name: name, PluginPath: pluginPath, XLAFlags: flags, IsGPU: isCUDA, Reason: reason, AutotuneCacheDir: cacheDir}
	if isCUDA {
		options, info.Allocator = allocOptions, allocDesc
	} else {
		// GoMLX turns host-shared buffers on only for a plugin named "cpu"; by path it must be asked.
		config += ",shared_buffers"
	}
	b, err := newXLA(config, options)
	if err != nil {
		return nil, Info{}, fmt.Errorf("backend %s: loading PJRT plugin %s: %w", name, pluginPath, err)
	}
	info.Device = f.deviceName(b, isCUDA)
	return b, info, nil
}

// newXLA wraps xla.NewWithOptions, turning a panic from cgo-side setup into an error.
func newXLA(config string, options map[string]any) (b backends.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	xb, err := xla.NewWithOptions(config, options)
	if err != nil {
		return nil, err
	}
	return xb, nil
}

func (f Finder) deviceName(b backends.Backend, isCUDA bool) string {
	if isCUDA {
		if n := f.GPUName(); n != "" {
			return n
		}
		return b.DeviceDescription(0)
	}
	return fmt.Sprintf("CPU (%d cores)", runtime.NumCPU())
}
