package backend

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"alexbench/internal/switches"
)

// ExtraFlagsEnv holds XLA flags appended to XLA_FLAGS for XLA backends, e.g.
// "--xla_gpu_autotune_level=1 --xla_dump_to=/tmp/hlo" (read once, with the
// other switches, by internal/switches).
const ExtraFlagsEnv = switches.XLAFlagsVar

var flagToken = regexp.MustCompile(`^--(xla_[a-z0-9_]+)(=.*)?$`)

// parseFlags splits a flags string and checks every token looks like an XLA
// flag, naming the variable and the token otherwise.
func parseFlags(envName, flags string) (tokens, names []string, err error) {
	for _, tok := range strings.Fields(flags) {
		m := flagToken.FindStringSubmatch(tok)
		if m == nil {
			return nil, nil, fmt.Errorf("%s: %q is not an XLA flag (want --xla_name or --xla_name=value)", envName, tok)
		}
		tokens = append(tokens, tok)
		names = append(names, m[1])
	}
	return tokens, names, nil
}

// composeXLAFlags is XLA_FLAGS as the plugin should read it: what the user
// already had, the CUDA data dir go-xla meant to set (only if none is set),
// then the extra flags. Extra tokens already present are not repeated, so
// opening a second backend in one process changes nothing.
func composeXLAFlags(existing, cudaDataDir string, extra []string) string {
	out := strings.Fields(existing)
	has := func(prefix string) bool {
		for _, t := range out {
			if t == prefix || strings.HasPrefix(t, prefix+"=") {
				return true
			}
		}
		return false
	}
	if cudaDataDir != "" && !has("--xla_gpu_cuda_data_dir") {
		out = append(out, "--xla_gpu_cuda_data_dir="+cudaDataDir)
	}
	for _, t := range extra {
		if !contains(out, t) {
			out = append(out, t)
		}
	}
	return strings.Join(out, " ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// goXLACUDADataDir is the directory go-xla v0.1.4 meant to put into
// --xla_gpu_cuda_data_dir (it writes a hard-coded path of its author's home
// instead): the nvidia/ folder next to the plugin's folder, which go-xla's
// installer fills with CUDA libraries and bin/ptxas. jax's pip layout has no
// such folder (XLA finds site-packages/nvidia itself), so "" there.
func goXLACUDADataDir(pluginPath string) string {
	dir := filepath.Join(filepath.Dir(filepath.Dir(pluginPath)), "nvidia")
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return dir
	}
	return ""
}

// unknownFlags returns the names the plugin binary does not contain. XLA's
// flag names are string literals in the plugin, and XLA aborts the whole
// process on an unknown flag, so checking first turns a C++ abort into one
// clear error. The file is streamed, never held in memory.
func unknownFlags(pluginPath string, names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	f, err := os.Open(pluginPath)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", pluginPath, err)
	}
	defer f.Close()
	missing := map[string]bool{}
	longest := 0
	for _, n := range names {
		missing[n] = true
		longest = max(longest, len(n))
	}
	r := bufio.NewReaderSize(f, 1<<20)
	buf := make([]byte, 0, 4<<20)
	chunk := make([]byte, 4<<20)
	for len(missing) > 0 {
		n, err := r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		for name := range missing {
			if bytes.Contains(buf, []byte(name)) {
				delete(missing, name)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", pluginPath, err)
		}
		// Keep a tail so a name split across two reads is still seen.
		if keep := longest; len(buf) > keep {
			buf = append(buf[:0], buf[len(buf)-keep:]...)
		}
	}
	var out []string
	for _, n := range names {
		if missing[n] {
			out = append(out, n)
		}
	}
	return out, nil
}
