//go:build unix

package regfile

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

// Every kind of non-regular file is refused at open, without blocking (a FIFO
// with no writer would block a plain os.Open forever, so this test would hang,
// not pass, if Open waited), and the error names the path and what was there.
func TestOpenRefusesEveryNonRegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		fifo:        "a FIFO (named pipe)",
		sock:        "a socket",
		sub:         "a directory",
		link:        "a symlink to a FIFO (named pipe)",
		"/dev/null": "a character device",
	}
	for path, found := range cases {
		for name, open := range map[string]func(string) error{
			"Open":     func(p string) error { f, err := Open(p); f.Close(); return err },
			"ReadFile": func(p string) error { _, err := ReadFile(p, 0); return err },
			"Check":    Check,
		} {
			err := open(path)
			var nr *NotRegularError
			if !errors.As(err, &nr) {
				t.Errorf("%s(%s) = %v, want a NotRegularError", name, path, err)
				continue
			}
			if msg := err.Error(); !strings.HasPrefix(msg, path+": ") || !strings.Contains(msg, "found "+found) {
				t.Errorf("%s(%s): %q, want the path and %q", name, path, msg, found)
			}
		}
	}
}

func TestReadFileReadsRegularFilesWithinTheLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.toml")
	if err := os.WriteFile(p, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := ReadFile(p, 10)
	if err != nil || string(b) != "0123456789" {
		t.Fatalf("ReadFile = %q, %v", b, err)
	}
	var tl *TooLargeError
	if _, err := ReadFile(p, 9); !errors.As(err, &tl) || tl.Size != 10 || tl.Limit != 9 {
		t.Fatalf("ReadFile over the limit = %v, want a TooLargeError of 10 > 9", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "none"), 0); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v, want ErrNotExist", err)
	}
}

func TestReaderStopsOnCancel(t *testing.T) {
	f, err := os.Open("/dev/zero") // never ends: only the context can stop it
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx, cancel := context.WithCancel(context.Background())
	r := Reader(ctx, f)
	buf := make([]byte, 4<<20)
	n, err := r.Read(buf)
	if err != nil || n == 0 || n > 1<<20 {
		t.Fatalf("first read: %d, %v; want up to one chunk", n, err)
	}
	cancel()
	if _, err := r.Read(buf); !errors.Is(err, context.Canceled) {
		t.Fatalf("read after cancel: %v, want context.Canceled", err)
	}
}
