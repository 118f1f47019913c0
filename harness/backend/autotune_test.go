package backend

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakePlugin is a file holding the flag names a plugin binary would.
func fakePlugin(t *testing.T, names ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "xla_cuda_plugin.so")
	if err := os.WriteFile(p, []byte("\x00"+strings.Join(names, "\x00")+"\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func envFinder(env map[string]string, cache string) Finder {
	return Finder{Getenv: func(k string) string { return env[k] }, AutotuneCacheDir: cache}
}

// On XLA CUDA the autotune cache dir is created and passed to XLA; on any
// other plugin, or a plugin without the flag, it is neither created nor
// passed; a cache the user set in XLA_FLAGS is kept and reported.
func TestXLAFlagsAutotuneCache(t *testing.T) {
	plugin := fakePlugin(t, AutotuneCacheFlag, "xla_gpu_autotune_level")
	cache := filepath.Join(t.TempDir(), "results", ".xla-autotune")
	flagTok := "--" + AutotuneCacheFlag + "=" + cache

	flags, dir, err := envFinder(map[string]string{ExtraFlagsEnv: "--xla_gpu_autotune_level=1"}, cache).xlaFlagsFor("xla:cuda", plugin, true)
	if err != nil || dir != cache || flags != "--xla_gpu_autotune_level=1 "+flagTok {
		t.Fatalf("CUDA: flags %q, cache %q, err %v", flags, dir, err)
	}
	if fi, err := os.Stat(cache); err != nil || !fi.IsDir() {
		t.Fatalf("the cache dir was not created: %v", err)
	}
	if err := os.Remove(cache); err != nil {
		t.Fatal(err)
	}

	flags, dir, err = envFinder(nil, cache).xlaFlagsFor("xla:cpu", plugin, false)
	if err != nil || dir != "" || strings.Contains(flags, AutotuneCacheFlag) {
		t.Fatalf("CPU plugin: flags %q, cache %q, err %v; want no cache", flags, dir, err)
	}
	if _, err := os.Stat(cache); !os.IsNotExist(err) {
		t.Fatalf("the CPU plugin created the cache dir (%v)", err)
	}

	old := fakePlugin(t, "xla_gpu_autotune_level")
	flags, dir, err = envFinder(nil, cache).xlaFlagsFor("xla:cuda", old, true)
	if err != nil || dir != "" || strings.Contains(flags, AutotuneCacheFlag) {
		t.Fatalf("plugin without the flag: flags %q, cache %q, err %v; want no cache and no abort", flags, dir, err)
	}

	mine := filepath.Join(t.TempDir(), "mine")
	flags, dir, err = envFinder(map[string]string{"XLA_FLAGS": "--" + AutotuneCacheFlag + "=" + mine}, cache).xlaFlagsFor("xla:cuda", plugin, true)
	if err != nil || dir != mine || strings.Count(flags, AutotuneCacheFlag) != 1 {
		t.Fatalf("user's cache: flags %q, cache %q, err %v", flags, dir, err)
	}

	if _, _, err := envFinder(map[string]string{ExtraFlagsEnv: "--xla_gpu_autotune_levle=1"}, cache).xlaFlagsFor("xla:cuda", plugin, true); err == nil ||
		!strings.Contains(err.Error(), "xla_gpu_autotune_levle") {
		t.Fatalf("a typo must still be refused: %v", err)
	}
}
