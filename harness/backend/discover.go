package backend

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"alexbench/internal/switches"
)

// Finder knows where to look for PJRT plugins and GPUs. Its fields are what
// differs between machines, so tests can point it at a temp tree;
// DefaultFinder fills them in for this machine.
type Finder struct {
	// Getenv reads environment variables (os.Getenv by default).
	Getenv func(string) string
	// SitePackages are glob patterns of Python site-packages directories, in
	// the order they are searched for jax's CUDA plugin.
	SitePackages []string
	// GoXLADirs are go-xla's install directories (its installer puts the CUDA
	// plugin in <dir>/nvidia, the CPU plugin in <dir>).
	GoXLADirs []string
	// GPUMarkers are paths (globs allowed) whose existence means an NVIDIA GPU is present.
	GPUMarkers []string
	// GPUInfoGlob matches the driver's per-GPU information files, read for the card's name.
	GPUInfoGlob string
	// AutotuneCacheDir, when set, is where XLA CUDA keeps its per-fusion
	// autotune results (created if missing), so a cell whose fusions an
	// earlier cell or run tuned compiles without tuning them again.
	AutotuneCacheDir string
}

// DefaultFinder searches this machine's usual places.
func DefaultFinder() Finder {
	home, _ := os.UserHomeDir()
	f := Finder{
		GPUMarkers:  []string{"/dev/nvidia[0-9]*", "/proc/driver/nvidia/gpus/*"},
		GPUInfoGlob: "/proc/driver/nvidia/gpus/*/information",
	}
	if home != "" {
		f.GoXLADirs = append(f.GoXLADirs, filepath.Join(home, ".local/lib/go-xla"), filepath.Join(home, ".local/lib/gomlx/pjrt"))
	}
	f.GoXLADirs = append(f.GoXLADirs, "/usr/local/lib/go-xla", "/usr/local/lib/gomlx/pjrt")
	f.SitePackages = defaultSitePackages(home, os.Getenv)
	return f
}

// defaultSitePackages lists where pip puts packages, most specific first: the
// active virtualenv/conda env, the prefixes of every python3 on PATH, the
// user's site, pyenv and conda installs, then the system ones. Globs, not a
// python subprocess, so discovery costs milliseconds.
func defaultSitePackages(home string, getenv func(string) string) []string {
	var prefixes []string
	for _, env := range []string{"VIRTUAL_ENV", "CONDA_PREFIX"} {
		if p := getenv(env); p != "" {
			prefixes = append(prefixes, p)
		}
	}
	for _, dir := range filepath.SplitList(getenv("PATH")) {
		py := filepath.Join(dir, "python3")
		if _, err := os.Stat(py); err != nil || dir == "" {
			continue
		}
		prefixes = append(prefixes, filepath.Dir(dir))
		if real, err := filepath.EvalSymlinks(py); err == nil {
			prefixes = append(prefixes, filepath.Dir(filepath.Dir(real)))
		}
	}
	var pats []string
	for _, p := range prefixes {
		pats = append(pats, filepath.Join(p, "lib/python3*/site-packages"), filepath.Join(p, "lib/python3*/dist-packages"),
			filepath.Join(p, "local/lib/python3*/dist-packages"))
	}
	if home != "" {
		pats = append(pats, filepath.Join(home, ".local/lib/python3*/site-packages"),
			filepath.Join(home, ".pyenv/versions/*/lib/python3*/site-packages"),
			filepath.Join(home, "miniconda3/lib/python3*/site-packages"),
			filepath.Join(home, "anaconda3/lib/python3*/site-packages"))
	}
	pats = append(pats,
		"/opt/conda/lib/python3*/site-packages",
		"/opt/conda/envs/*/lib/python3*/site-packages",
		"/opt/*/lib/python3*/site-packages", // docker images' /opt/venv and friends
		"/usr/local/lib/python3*/dist-packages",
		"/usr/local/lib/python3*/site-packages",
		"/usr/lib/python3/dist-packages",
		"/usr/lib/python3*/site-packages",
	)
	return dedupe(pats)
}

// Search records where a plugin search looked, for error messages and Reason.
type Search struct {
	Found string   // absolute path of the plugin, "" if none
	From  string   // which rule found it: "PJRT_PLUGIN_LIBRARY_PATH", "jax pip package", "go-xla install"
	Dirs  []string // directories (after globbing) that were looked in
}

// Summary says in a few words where the search looked.
func (s Search) Summary() string {
	return strconv.Itoa(len(s.Dirs)) + " dirs (PJRT_PLUGIN_LIBRARY_PATH, python site-packages, go-xla install dirs)"
}

// CUDAPlugin finds a CUDA PJRT plugin: PJRT_PLUGIN_LIBRARY_PATH first, then
// jax's pip plugin (the newest CUDA major first), then go-xla's installer.
func (f Finder) CUDAPlugin() Search {
	var s Search
	names := []string{"pjrt_c_api_cuda_plugin.so", "xla_cuda_plugin.so", "pjrt_c_api_gpu_plugin.so"}
	for _, entry := range filepath.SplitList(f.getenv("PJRT_PLUGIN_LIBRARY_PATH")) {
		if entry == "" {
			continue
		}
		if strings.HasSuffix(entry, ".so") && isFile(entry) {
			return Search{Found: abs(entry), From: "PJRT_PLUGIN_LIBRARY_PATH", Dirs: append(s.Dirs, filepath.Dir(entry))}
		}
		s.Dirs = append(s.Dirs, entry)
		for _, n := range names {
			if p := filepath.Join(entry, n); isFile(p) {
				s.Found, s.From = abs(p), "PJRT_PLUGIN_LIBRARY_PATH"
				return s
			}
		}
		if p := newestJaxPlugin(entry); p != "" {
			s.Found, s.From = abs(p), "PJRT_PLUGIN_LIBRARY_PATH"
			return s
		}
	}
	for _, dir := range f.globDirs(f.SitePackages) {
		s.Dirs = append(s.Dirs, dir)
		if p := newestJaxPlugin(dir); p != "" {
			s.Found, s.From = abs(p), "jax pip package"
			return s
		}
	}
	for _, dir := range f.GoXLADirs {
		s.Dirs = append(s.Dirs, dir)
		for _, rel := range []string{"nvidia/pjrt_c_api_cuda_plugin.so", "pjrt_c_api_cuda_plugin.so"} {
			if p := filepath.Join(dir, rel); isFile(p) {
				s.Found, s.From = abs(p), "go-xla install"
				return s
			}
		}
	}
	return s
}

// CPUPlugin finds XLA's CPU PJRT plugin where go-xla's installer puts it.
func (f Finder) CPUPlugin() Search {
	var s Search
	dirs := filepath.SplitList(f.getenv("PJRT_PLUGIN_LIBRARY_PATH"))
	dirs = append(dirs, f.GoXLADirs...)
	dirs = append(dirs, filepath.SplitList(f.getenv("LD_LIBRARY_PATH"))...)
	for _, dir := range dirs {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		s.Dirs = append(s.Dirs, dir)
		if p := filepath.Join(dir, "pjrt_c_api_cpu_plugin.so"); isFile(p) {
			s.Found, s.From = abs(p), "go-xla install"
			return s
		}
		// The installer keeps versioned files next to the link; take the newest.
		if m, _ := filepath.Glob(filepath.Join(dir, "pjrt_c_api_cpu_*_plugin.so")); len(m) > 0 {
			sort.Strings(m)
			s.Found, s.From = abs(m[len(m)-1]), "go-xla install"
			return s
		}
	}
	return s
}

// GPU reports the first GPU marker that exists ("" if none).
func (f Finder) GPU() string {
	for _, pat := range f.GPUMarkers {
		if m, _ := filepath.Glob(pat); len(m) > 0 {
			return m[0]
		}
	}
	return ""
}

// GPUName reads the first GPU's model from the driver's information file
// ("Model: NVIDIA H100 80GB HBM3"); "" if unknown.
func (f Finder) GPUName() string {
	if f.GPUInfoGlob == "" {
		return ""
	}
	m, _ := filepath.Glob(f.GPUInfoGlob)
	sort.Strings(m)
	for _, p := range m {
		file, err := os.Open(p)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(file)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "Model" {
				file.Close()
				return strings.TrimSpace(v)
			}
		}
		file.Close()
	}
	return ""
}

// newestJaxPlugin returns site-packages/jax_plugins/xla_cudaNN/xla_cuda_plugin.so
// with the largest NN (cuda13 before cuda12), or "".
func newestJaxPlugin(sitePackages string) string {
	m, _ := filepath.Glob(filepath.Join(sitePackages, "jax_plugins", "xla_cuda*", "xla_cuda_plugin.so"))
	best, bestV := "", -1
	for _, p := range m {
		v, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(filepath.Dir(p)), "xla_cuda"))
		if err != nil {
			v = 0
		}
		if v > bestV && isFile(p) {
			best, bestV = p, v
		}
	}
	return best
}

// switches are the environment switches f reads: the process's, read once
// (internal/switches), unless a test set Getenv.
func (f Finder) switches() switches.Switches {
	if f.Getenv == nil {
		return switches.Current()
	}
	return switches.Parse(f.Getenv)
}

func (f Finder) getenv(k string) string {
	if f.Getenv == nil {
		return os.Getenv(k)
	}
	return f.Getenv(k)
}

// globDirs expands the patterns into existing directories, in pattern order.
func (f Finder) globDirs(patterns []string) []string {
	var out []string
	for _, pat := range patterns {
		m, _ := filepath.Glob(pat)
		sort.Sort(sort.Reverse(sort.StringSlice(m))) // one fixed order: reverse lexical
		for _, d := range m {
			if fi, err := os.Stat(d); err == nil && fi.IsDir() {
				out = append(out, d)
			}
		}
	}
	return dedupe(out)
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		c := filepath.Clean(s)
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

func abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
