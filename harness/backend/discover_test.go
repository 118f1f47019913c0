package backend

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// touch creates the file (and its folders) under root and returns its path.
func touch(t *testing.T, root, rel, content string) string {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func envFunc(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestCUDAPluginDiscovery(t *testing.T) {
	const (
		jax12  = "venv/lib/python3.12/site-packages/jax_plugins/xla_cuda12/xla_cuda_plugin.so"
		jax13  = "venv/lib/python3.12/site-packages/jax_plugins/xla_cuda13/xla_cuda_plugin.so"
		sysJax = "usr/local/lib/python3.11/dist-packages/jax_plugins/xla_cuda13/xla_cuda_plugin.so"
		pjrt   = "pjrt/pjrt_c_api_cuda_plugin.so"
		goxla  = "home/.local/lib/go-xla/nvidia/pjrt_c_api_cuda_plugin.so"
	)
	tests := []struct {
		name     string
		files    []string
		env      map[string]string // values may use {root}
		wantRel  string            // "" = not found
		wantFrom string
	}{
		{"nothing installed", nil, map[string]string{"VIRTUAL_ENV": "{root}/venv"}, "", ""},
		{"jax in the active venv, newest CUDA major wins", []string{jax12, jax13}, map[string]string{"VIRTUAL_ENV": "{root}/venv"}, jax13, "jax pip package"},
		{"jax cuda12 only", []string{jax12}, map[string]string{"VIRTUAL_ENV": "{root}/venv"}, jax12, "jax pip package"},
		{"jax found through the python3 on PATH", []string{jax13, "venv/bin/python3"}, map[string]string{"PATH": "/nonexistent:{root}/venv/bin"}, jax13, "jax pip package"},
		{"PJRT_PLUGIN_LIBRARY_PATH dir beats jax", []string{jax13, pjrt}, map[string]string{"VIRTUAL_ENV": "{root}/venv", "PJRT_PLUGIN_LIBRARY_PATH": "{root}/nowhere:{root}/pjrt"}, pjrt, "PJRT_PLUGIN_LIBRARY_PATH"},
		{"PJRT_PLUGIN_LIBRARY_PATH naming the file", []string{jax13, pjrt}, map[string]string{"VIRTUAL_ENV": "{root}/venv", "PJRT_PLUGIN_LIBRARY_PATH": "{root}/" + pjrt}, pjrt, "PJRT_PLUGIN_LIBRARY_PATH"},
		{"PJRT_PLUGIN_LIBRARY_PATH naming a site-packages", []string{sysJax}, map[string]string{"PJRT_PLUGIN_LIBRARY_PATH": "{root}/usr/local/lib/python3.11/dist-packages"}, sysJax, "PJRT_PLUGIN_LIBRARY_PATH"},
		{"go-xla installer layout", []string{goxla}, nil, goxla, "go-xla install"},
		{"jax before go-xla", []string{goxla, jax13}, map[string]string{"VIRTUAL_ENV": "{root}/venv"}, jax13, "jax pip package"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for _, f := range tc.files {
				touch(t, root, f, "#!/bin/sh\n")
			}
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = strings.ReplaceAll(v, "{root}", root)
			}
			f := Finder{
				Getenv:       envFunc(env),
				SitePackages: defaultSitePackages(filepath.Join(root, "home"), envFunc(env)),
				GoXLADirs:    []string{filepath.Join(root, "home/.local/lib/go-xla")},
			}
			// The real system dirs are in the default patterns; keep only the temp tree's.
			var mine []string
			for _, p := range f.SitePackages {
				if strings.HasPrefix(p, root) {
					mine = append(mine, p)
				}
			}
			f.SitePackages = mine
			s := f.CUDAPlugin()
			want := ""
			if tc.wantRel != "" {
				want = filepath.Join(root, tc.wantRel)
			}
			if s.Found != want || s.From != tc.wantFrom {
				t.Fatalf("CUDAPlugin() = %q from %q, want %q from %q (searched %v)", s.Found, s.From, want, tc.wantFrom, s.Dirs)
			}
			if want == "" && len(s.Dirs) == 0 {
				t.Fatalf("a failed search must say where it looked")
			}
		})
	}
}

func TestCPUPluginDiscovery(t *testing.T) {
	root := t.TempDir()
	f := Finder{Getenv: envFunc(nil), GoXLADirs: []string{filepath.Join(root, "a"), filepath.Join(root, "b")}}
	if s := f.CPUPlugin(); s.Found != "" || len(s.Dirs) != 2 {
		t.Fatalf("empty tree: got %+v", s)
	}
	touch(t, root, "b/pjrt_c_api_cpu_v0.83.1_plugin.so", "x")
	touch(t, root, "b/pjrt_c_api_cpu_v0.83.4_plugin.so", "x")
	if s := f.CPUPlugin(); s.Found != filepath.Join(root, "b/pjrt_c_api_cpu_v0.83.4_plugin.so") {
		t.Fatalf("versioned files: got %q", s.Found)
	}
	touch(t, root, "a/pjrt_c_api_cpu_plugin.so", "x")
	if s := f.CPUPlugin(); s.Found != filepath.Join(root, "a/pjrt_c_api_cpu_plugin.so") {
		t.Fatalf("link in the first dir: got %q", s.Found)
	}
}

func TestGPUDetection(t *testing.T) {
	root := t.TempDir()
	f := Finder{GPUMarkers: []string{filepath.Join(root, "dev/nvidia[0-9]*"), filepath.Join(root, "proc/gpus/*")},
		GPUInfoGlob: filepath.Join(root, "proc/gpus/*/information")}
	if g := f.GPU(); g != "" {
		t.Fatalf("empty tree: GPU() = %q", g)
	}
	touch(t, root, "dev/nvidiactl", "") // the control device alone is not a GPU
	if g := f.GPU(); g != "" {
		t.Fatalf("nvidiactl only: GPU() = %q", g)
	}
	touch(t, root, "proc/gpus/0000:01:00.0/information", "Model: \t\t NVIDIA H100 80GB HBM3\nIRQ:   42\n")
	if g := f.GPU(); !strings.HasSuffix(g, "0000:01:00.0") {
		t.Fatalf("driver dir: GPU() = %q", g)
	}
	if n := f.GPUName(); n != "NVIDIA H100 80GB HBM3" {
		t.Fatalf("GPUName() = %q", n)
	}
}

func TestGoXLACUDADataDir(t *testing.T) {
	root := t.TempDir()
	plugin := touch(t, root, "go-xla/nvidia/pjrt_c_api_cuda_plugin.so", "x")
	if d := goXLACUDADataDir(plugin); d != filepath.Join(root, "go-xla/nvidia") {
		t.Fatalf("go-xla layout: %q", d)
	}
	jax := touch(t, root, "sp/jax_plugins/xla_cuda13/xla_cuda_plugin.so", "x")
	if d := goXLACUDADataDir(jax); d != "" {
		t.Fatalf("jax layout must not set a data dir, got %q", d)
	}
}
