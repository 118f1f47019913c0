package harness

import (
	"alexbench/harness/matrix"
	"alexbench/harness/results"
	"bufio"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The kill test runs the runner in a child process (this test binary, re-run
// with killChildEnv set) and SIGKILLs it at random instants.
const killChildEnv = "ALEXBENCH_HARNESS_KILL_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(killChildEnv); dir != "" {
		os.Exit(runKillChild(dir))
	}
	if dir := os.Getenv(stressChildEnv); dir != "" {
		os.Exit(runStressChild(dir))
	}
	os.Exit(m.Run())
}

// runKillChild sweeps testdata's kill matrix into dir/results with a fake
// trainer that takes a few milliseconds per epoch and logs every start.
func runKillChild(dir string) int {
	m, err := matrix.Load("../testdata/matrices/good/kill.toml")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	f := newFakeTrainer()
	f.epochGap = 20 * time.Millisecond
	f.log = filepath.Join(dir, "starts.log")
	r := &Runner{Results: filepath.Join(dir, "results"), Profile: matrix.ProfileQuick, Trainer: TrainFunc(f.train), Log: os.Stderr}
	if _, err := r.Run(context.Background(), []*matrix.Matrix{m}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func TestSIGKILLedSweepResumesWithoutLosingOrRedoingCells(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "results")
	m := mustLoad(t, "../testdata/matrices/good/kill.toml")
	cells := m.Cells(matrix.ProfileQuick)
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewSource(seed))
	t.Logf("kill instants seeded with %d", seed)

	done := map[string]map[string]string{} // finished cell key → its files
	check := func(round string, pid int, doneBefore map[string]map[string]string) {
		t.Helper()
		now := finishedCells(t, root, "kill")
		for key, files := range doneBefore {
			if !equalTrees(files, now[key]) {
				t.Fatalf("%s: finished cell %s changed or vanished", round, key)
			}
		}
		for _, key := range startsBy(t, filepath.Join(dir, "starts.log"), pid) {
			if _, wasDone := doneBefore[key]; wasDone {
				t.Fatalf("%s: cell %s was run again although it had finished", round, key)
			}
		}
		for k, v := range now {
			done[k] = v
		}
	}

	for i := 1; i <= 10; i++ {
		cmd := killChild(dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		if i%3 == 1 {
			// Anywhere from start-up through locking and planning to the first cell.
			time.Sleep(time.Duration(rng.Intn(100)) * time.Millisecond)
		} else {
			// Inside the n-th cell this child starts (a cell takes ~60 ms), or
			// while it writes the cell's last files and starts the next.
			waitForStarts(t, filepath.Join(dir, "starts.log"), cmd.Process.Pid, 1+rng.Intn(3), exited)
			time.Sleep(time.Duration(rng.Intn(75)) * time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		before := copyDone(done)
		check(fmt.Sprintf("kill %d", i), cmd.Process.Pid, before)
	}
	t.Logf("%d of %d cells finished across 10 kills", len(done), len(cells))

	cmd := killChild(dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	check("final run", cmd.Process.Pid, copyDone(done))
	if len(done) != len(cells) {
		t.Fatalf("%d cells finished, want %d", len(done), len(cells))
	}
	for _, c := range cells {
		s, err := results.ReadSummary(results.CellDir(root, "kill", c.Key))
		if err != nil || s.Outcome != "done" {
			t.Errorf("%s: %v", c.Key, err)
		}
		if metrics, _ := results.ReadMetrics(results.CellDir(root, "kill", c.Key)); len(metrics) != c.Config.Epochs {
			t.Errorf("%s: %d metrics lines, want %d", c.Key, len(metrics), c.Config.Epochs)
		}
	}
	if extra, _ := filepath.Glob(filepath.Join(root, "kill", "*", ".*")); len(extra) > 0 {
		t.Errorf("temp files left in cell folders: %v", extra)
	}
}

// waitForStarts returns once process pid has started n cells, or has exited.
func waitForStarts(t *testing.T, log string, pid, n int, exited <-chan struct{}) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for len(startsBy(t, log, pid)) < n {
		select {
		case <-exited:
			return
		case <-deadline:
			t.Fatalf("child %d did not start %d cells in 10 s", pid, n)
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func killChild(dir string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), killChildEnv+"="+dir)
	return cmd
}

// finishedCells maps each cell with a summary to its files' contents.
func finishedCells(t *testing.T, root, matrixName string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	stored, err := results.ScanResults(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range stored {
		if sc.State == results.StateCorrupt {
			t.Fatalf("a kill left a corrupt summary in %s: %v", sc.Dir, sc.Err)
		}
		if sc.Summary != nil && sc.Matrix == matrixName {
			out[sc.Key] = snapshotTree(t, sc.Dir)
		}
	}
	return out
}

// startsBy lists the cells the process pid started, from the fake's log.
func startsBy(t *testing.T, log string, pid int) []string {
	t.Helper()
	f, err := os.Open(log)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var keys []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 3 && fields[0] == "start" && fields[2] == fmt.Sprint(pid) {
			keys = append(keys, fields[1])
		}
	}
	return keys
}

func copyDone(m map[string]map[string]string) map[string]map[string]string {
	out := make(map[string]map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
