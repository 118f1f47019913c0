//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fifoDataset is a copy of the real dataset (symlinks to its files) with a
// FIFO where one file should be: nothing ever writes to it, so a command that
// opens it as a plain file waits forever.
func fifoDataset(t *testing.T) (dir, fifo string) {
	t.Helper()
	real := fashionMNIST(t)
	dir = t.TempDir()
	for _, name := range []string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"} {
		abs, err := filepath.Abs(filepath.Join(real, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(abs, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	fifo = filepath.Join(dir, "t10k-labels-idx1-ubyte.gz")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, fifo
}

// data verify and train exit with status 1 and one error that names the FIFO
// and says what it is, instead of hanging on it; run records its cell as
// failed with that error (a failed cell is an outcome, not a failed run).
func TestFIFOInPlaceOfADataFileIsAClearErrorNotAHang(t *testing.T) {
	dataDir, fifo := fifoDataset(t)
	work := t.TempDir()
	matrixFile := filepath.Join(work, "one.toml")
	if err := os.WriteFile(matrixFile, []byte("name = \"one\"\ndescription = \"one tiny cell\"\n"+
		"[fixed]\nmodel = \"lenet\"\nepochs = 1\ntrain_limit = 256\ntest_limit = 256\nbackend = \"go\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := fifo + ": expected a regular file, found a FIFO (named pipe)"
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantMore string
	}{
		{"data verify", []string{"data", "verify", "--data", dataDir}, 1, ""},
		{"train", []string{"train", "--model", "lenet", "--epochs", "1", "--train-limit", "256", "--test-limit", "256", "--backend", "go", "--data", dataDir}, 1, ""},
		{"run", []string{"run", matrixFile, "--profile", "quick", "--results", filepath.Join(work, "results"), "--data", dataDir}, 0, "→ failed: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runProc(t, work, tc.args...)
			if code != tc.wantCode {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, tc.wantCode, stderr)
			}
			if !strings.Contains(stderr, tc.wantMore+"loading Fashion-MNIST (found via --data): "+want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		})
	}
}
