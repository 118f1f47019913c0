package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"alexbench/harness/claim"
	"alexbench/harness/matrix"
	"alexbench/harness/results"
)

// The real alexbench, training a real cell, stops within a few seconds of
// SIGTERM: exit status 143, the cell marked interrupted (status says so), its
// claim released, no summary.
func TestRunStopsOnSIGTERMWhileACellTrains(t *testing.T) {
	bin := alexbench(t)
	dataDir := fashionMNIST(t)
	tree := filepath.Join(t.TempDir(), "results")
	mfile := "../../testdata/matrices/good/signal-real.toml"
	cmd := exec.Command(bin, "run", mfile, "--results", tree, "--profile", "quick", "--data", dataDir)
	stderr := &lockedBuffer{}
	cmd.Stderr, cmd.Stdout = stderr, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(stderr.String(), "[1/1] signal-real") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the cell never started:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // data loaded, the first steps compiled or running
	t0 := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("still running 10 s after SIGTERM:\n%s", stderr.String())
	}
	t.Logf("stopped %s after SIGTERM", time.Since(t0).Round(time.Millisecond))
	if code := cmd.ProcessState.ExitCode(); code != 143 || !strings.Contains(stderr.String(), "interrupted (terminated signal received)") {
		t.Fatalf("exit status %d, want 143:\n%s", code, stderr.String())
	}
	m, err := matrix.Load(mfile)
	if err != nil {
		t.Fatal(err)
	}
	key := m.Cells(matrix.ProfileQuick)[0].Key
	dir := results.CellDir(tree, "signal-real", key)
	if state, _, _ := results.CellState(dir); state != results.StateInFlight {
		t.Errorf("the interrupted cell is %s, want %s", state, results.StateInFlight)
	}
	if in, err := results.ReadInterrupted(dir); err != nil || in == nil || in.Reason != "terminated signal received" {
		t.Errorf("interruption marker %+v %v", in, err)
	}
	if rec, err := claim.Current(results.ClaimDir(tree, key)); err != nil || rec == nil || rec.Released == nil {
		t.Errorf("the cell's claim was not released: %+v %v", rec, err)
	}
	var out bytes.Buffer
	if err := runStatus([]string{"--results", tree}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "interrupted (will be rerun): signal-real/"+key+": terminated signal received at ") {
		t.Errorf("status:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, results.SummaryFile)); err == nil {
		t.Error("an interrupted cell has a summary")
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
