package backend

import (
	"fmt"
	"os"
	"strings"
)

// AutotuneCacheFlag is XLA's persistent autotune cache: one file per tuned
// fusion (and convolution), keyed by the device and the fusion's HLO, read
// before tuning and written after, by any number of processes.
const AutotuneCacheFlag = "xla_gpu_per_fusion_autotune_cache_dir"

// xlaFlagsFor is XLA_FLAGS for a plugin: the user's XLA_FLAGS, the CUDA data
// dir go-xla meant, the XLA flags switch (ExtraFlagsEnv), and on CUDA the autotune cache dir
// (unless the user set one, or the plugin does not know the flag: XLA would
// abort on it). Every flag is checked against the plugin first. cacheDir is
// the cache in force ("" none); the directory is created.
func (f Finder) xlaFlagsFor(name, pluginPath string, isCUDA bool) (flags, cacheDir string, err error) {
	tokens, names, err := parseFlags(ExtraFlagsEnv, f.switches().XLAFlags)
	if err != nil {
		return "", "", err
	}
	existing := f.getenv("XLA_FLAGS")
	_, existingNames, err := parseFlags("XLA_FLAGS", existing)
	if err != nil {
		return "", "", err
	}
	check := append(append([]string(nil), names...), existingNames...)
	wantCache := isCUDA && f.AutotuneCacheDir != "" && !hasFlag(existing+" "+strings.Join(tokens, " "), AutotuneCacheFlag)
	if wantCache {
		check = append(check, AutotuneCacheFlag)
	}
	unknown, err := unknownFlags(pluginPath, check)
	if err != nil {
		return "", "", fmt.Errorf("backend %s: %w", name, err)
	}
	if wantCache && contains(unknown, AutotuneCacheFlag) {
		wantCache = false // an older plugin: no cache, rather than an abort
		unknown = unknown[:len(unknown)-1]
	}
	if len(unknown) > 0 {
		return "", "", fmt.Errorf("backend %s: XLA flag(s) %s (from %s / XLA_FLAGS) unknown to plugin %s; XLA would abort on them",
			name, strings.Join(unknown, ", "), ExtraFlagsEnv, pluginPath)
	}
	if wantCache {
		if err := os.MkdirAll(f.AutotuneCacheDir, 0o755); err != nil {
			return "", "", fmt.Errorf("backend %s: autotune cache: %w", name, err)
		}
		tokens = append(tokens, "--"+AutotuneCacheFlag+"="+f.AutotuneCacheDir)
		cacheDir = f.AutotuneCacheDir
	} else if dir := flagValue(existing+" "+strings.Join(tokens, " "), AutotuneCacheFlag); isCUDA && dir != "" {
		cacheDir = dir // the user's own cache is still a cache to report on
	}
	var dataDir string
	if isCUDA {
		dataDir = goXLACUDADataDir(pluginPath)
	}
	return composeXLAFlags(existing, dataDir, tokens), cacheDir, nil
}

// hasFlag tells whether flags set --name (with or without a value).
func hasFlag(flags, name string) bool {
	for _, t := range strings.Fields(flags) {
		if t == "--"+name || strings.HasPrefix(t, "--"+name+"=") {
			return true
		}
	}
	return false
}

// flagValue is the value of the last --name=value in flags, "" if none.
func flagValue(flags, name string) string {
	v := ""
	for _, t := range strings.Fields(flags) {
		if after, ok := strings.CutPrefix(t, "--"+name+"="); ok {
			v = after
		}
	}
	return v
}
