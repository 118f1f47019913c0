//go:build unix

package data

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Each kind of non-regular file in place of one dataset file is refused with
// a FileError naming it and what it is. A FIFO nobody writes to is the case
// that used to hang: this test would block, not fail, if the open waited.
func TestNonRegularDataFilesAreRefusedNotOpened(t *testing.T) {
	const victim = "t10k-labels-idx1-ubyte.gz" // the last file: every other one loads first
	cases := map[string]struct {
		make  func(t *testing.T, path string)
		found string
	}{
		"fifo": {func(t *testing.T, p string) {
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "a FIFO (named pipe)"},
		"directory": {func(t *testing.T, p string) {
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "a directory"},
		"socket": {func(t *testing.T, p string) {
			l, err := net.Listen("unix", p)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
		}, "a socket"},
		"device": {func(t *testing.T, p string) {
			if err := os.Symlink("/dev/zero", p); err != nil {
				t.Fatal(err)
			}
		}, "a symlink to a character device (/dev/zero)"},
		"symlink to fifo": {func(t *testing.T, p string) {
			fifo := filepath.Join(filepath.Dir(p), "elsewhere.fifo")
			if err := syscall.Mkfifo(fifo, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(fifo, p); err != nil {
				t.Fatal(err)
			}
		}, "a symlink to a FIFO (named pipe)"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ds := newTinyDataset()
			// A short temp dir: a unix socket's path is limited to 108 bytes.
			dir, err := os.MkdirTemp("", "nonreg")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			ds.write(t, dir)
			path := filepath.Join(dir, victim)
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			tc.make(t, path)
			_, err = loadDir(dir, ds.specs())
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("loadDir = %v, want a *FileError", err)
			}
			if fe.Path != path || fe.Expected != "a regular file" || !strings.Contains(fe.Found, tc.found) {
				t.Errorf("error %q: want %s, expected a regular file, found %q", err, path, tc.found)
			}
		})
	}
}

// A cancelled context stops a load between reads, with an error that says so.
func TestLoadStopsWhenCancelled(t *testing.T) {
	ds := newTinyDataset()
	dir := t.TempDir()
	ds.write(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := loadDirContext(ctx, dir, ds.specs())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("loadDirContext after cancel = %v, want context.Canceled", err)
	}
	if _, err := loadDirContext(context.Background(), dir, ds.specs()); err != nil {
		t.Fatalf("the same files, not cancelled: %v", err)
	}
}
