//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"alexbench/harness/results"
)

// SIGTERM during a merge: it stops between files, exits 143 saying it was
// interrupted and how to finish, leaves no temp folder and no half cell; the
// next merge copies the rest.
func TestMergeInterruptedBySIGTERMSaysSoAndLeavesNoTemp(t *testing.T) {
	bin := alexbench(t)
	src, dst := filepath.Join(t.TempDir(), "src"), filepath.Join(t.TempDir(), "dst")
	const cells = 400 // enough that the merge is still copying when the signal lands
	for i := 0; i < cells; i++ {
		key := fmt.Sprintf("%016x", i)
		dir := results.CellDir(src, "m", key)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, results.MetricsFile), []byte("{\"epoch\":1}\n"), 0o644)
		if err := results.WriteSummary(dir, &results.Summary{Matrix: "m", Key: key, Outcome: "done"}); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "merge", src, "--into", dst)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(answerLimit); ; time.Sleep(2 * time.Millisecond) {
		if entries, _ := os.ReadDir(filepath.Join(dst, "m")); len(entries) > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("merge copied nothing in %s: %s", answerLimit, errb.String())
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(answerLimit):
		cmd.Process.Kill()
		t.Fatalf("merge still running %s after SIGTERM", answerLimit)
	}
	switch code := cmd.ProcessState.ExitCode(); {
	case code == 0:
		t.Skipf("the merge finished before the signal landed: %s", errb.String())
	case code != 143 || !strings.Contains(errb.String(), "merge interrupted"):
		t.Fatalf("exit %d (%v), stderr %q; want 143 and a message saying the merge was interrupted",
			code, cmd.ProcessState, errb.String())
	}
	if left, _ := filepath.Glob(filepath.Join(dst, "m", ".merge-*")); len(left) > 0 {
		t.Errorf("temp folders left: %v", left)
	}
	stored, err := results.ScanResults(dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range stored {
		if sc.State != "done" {
			t.Errorf("half a cell in the destination: %+v", sc)
		}
	}
	out, err := exec.Command(bin, "merge", src, "--into", dst).CombinedOutput()
	if err != nil {
		t.Fatalf("the next merge: %v\n%s", err, out)
	}
	if stored, _ := results.ScanResults(dst); len(stored) != cells {
		t.Errorf("after the next merge: %d cells, want %d", len(stored), cells)
	}
}
