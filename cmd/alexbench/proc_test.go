package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// alexbench builds this command once per test binary, for tests that need a
// real process: its exit status, its output, its answer to a signal.
func alexbench(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the alexbench binary")
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "alexbench-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "alexbench")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = &buildError{err, out}
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + string(e.out) }

// hangLimit is not a speed requirement: a process still running after it is
// stuck (before the fix, a FIFO made these commands wait forever).
const hangLimit = 2 * time.Minute

// runProc runs the binary with args in dir and returns its exit status and
// output; a process that outlives hangLimit is killed and fails the test.
func runProc(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, alexbench(t), args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("alexbench %v hung (killed after %v); stderr:\n%s", args, hangLimit, errb.String())
	}
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}
