// Package atomicfile writes files so that a reader, or a process killed at any
// instant, sees either the old file or the whole new one, never a part: the
// bytes go to a temp file in the same folder, are synced, and the temp file is
// renamed over the target. Every results, report and profile file is written
// through it ("nothing finished is ever lost or overwritten" half-way).
package atomicfile

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Write writes data to path atomically (mode 0644).
func Write(path string, data []byte) error {
	return WriteWith(path, func(w *bufio.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteWith streams the file's content through write, then commits it
// atomically; if write fails, path is untouched and no temp file is left.
func WriteWith(path string, write func(*bufio.Writer) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+tempInfix+"*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		return fail(err)
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// tempInfix is in every temp file's name: .<target name>.tmp-<digits>.
const tempInfix = ".tmp-"

// IsTemp tells whether a file name is one of Write's temp names (a write in
// progress, or one a killed process left behind).
func IsTemp(name string) bool {
	if !strings.HasPrefix(name, ".") {
		return false
	}
	i := strings.LastIndex(name, tempInfix)
	if i <= 1 {
		return false
	}
	digits := name[i+len(tempInfix):]
	if digits == "" {
		return false
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// syncDir makes the rename durable across a power cut, not just a kill (best
// effort: some filesystems refuse to open or sync folders).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
