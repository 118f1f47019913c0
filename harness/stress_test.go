package harness

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"alexbench/harness/claim"
	"alexbench/harness/matrix"
	"alexbench/harness/results"
)

// The stress and signal tests run runners in child processes (this test
// binary, re-run with stressChildEnv set to a folder), several at once on one
// results tree, and kill or signal them.
const stressChildEnv = "ALEXBENCH_HARNESS_STRESS_CHILD"

// runStressChild sweeps the kill matrix into dir/results the way `alexbench
// run` does (SIGINT and SIGTERM cancel it), with the fake trainer logging
// starts and double runs into dir. STRESS_SHARD is its --shard; STRESS_TRAIN
// is "" (40 ms epochs), "slow" (hour-long epochs that stop on cancel) or
// "stuck" (a trainer that never returns). STRESS_TIMEOUT is the claim
// timeout (default 10 s); STRESS_STALL="step:stop|kill:n" stops or kills
// the process at the n-th time it reaches a claim step (stallAt);
// STRESS_FORCE set: --force. Exit
// status 3: interrupted.
func runStressChild(dir string) int {
	m, err := matrix.Load("../testdata/matrices/good/kill.toml")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	shard, err := matrix.ParseShard(os.Getenv("STRESS_SHARD"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	f := newFakeTrainer()
	f.epochGap = 40 * time.Millisecond
	f.log = filepath.Join(dir, "starts.log")
	f.running = filepath.Join(dir, "running")
	switch os.Getenv("STRESS_TRAIN") {
	case "slow":
		f.epochGap = time.Hour
	case "stuck":
		f.stuck = true
	}
	timeout := 10 * time.Second
	if v := os.Getenv("STRESS_TIMEOUT"); v != "" {
		if timeout, err = time.ParseDuration(v); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
	}
	f.stamp = true
	r := &Runner{Results: filepath.Join(dir, "results"), Profile: matrix.ProfileQuick, Trainer: TrainFunc(f.train), Shard: shard,
		Force: os.Getenv("STRESS_FORCE") != "", Log: os.Stderr, Poll: 10 * time.Millisecond, StopGrace: 500 * time.Millisecond,
		Claim: claim.Options{Timeout: timeout, Pause: stallAt(dir, os.Getenv("STRESS_STALL"))}}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := r.Run(ctx, []*matrix.Matrix{m}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if ctx.Err() != nil {
			return 3
		}
		return 1
	}
	return 0
}

type stressChild struct {
	cmd    *exec.Cmd
	shard  string
	out    *syncBuffer
	exited chan struct{}
	err    error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startStressChild(t *testing.T, dir, shard, train string, env ...string) *stressChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), stressChildEnv+"="+dir, "STRESS_SHARD="+shard, "STRESS_TRAIN="+train)
	cmd.Env = append(cmd.Env, env...)
	c := &stressChild{cmd: cmd, shard: shard, out: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = c.out, c.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.err = cmd.Wait(); close(c.exited) }()
	t.Cleanup(func() {
		select {
		case <-c.exited:
		default:
			cmd.Process.Kill()
			<-c.exited
		}
	})
	return c
}

func (c *stressChild) alive() bool {
	select {
	case <-c.exited:
		return false
	default:
		return true
	}
}

// stressRig watches one shared results tree: every finished cell's files as
// first seen, which must never change.
type stressRig struct {
	t     *testing.T
	dir   string
	root  string
	cells []matrix.Cell
	seen  map[string]map[string]string
}

func newStressRig(t *testing.T) *stressRig {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "running"), 0o755)
	m := mustLoad(t, "../testdata/matrices/good/kill.toml")
	return &stressRig{t: t, dir: dir, root: filepath.Join(dir, "results"), cells: m.Cells(matrix.ProfileQuick),
		seen: map[string]map[string]string{}}
}

func (s *stressRig) check(when string) {
	s.t.Helper()
	now := finishedCells(s.t, s.root, "kill")
	for key, files := range s.seen {
		if !equalTrees(files, now[key]) {
			s.t.Fatalf("%s: finished cell %s changed or vanished", when, key)
		}
	}
	for k, v := range now {
		if _, ok := s.seen[k]; !ok {
			s.seen[k] = v
		}
	}
}

// finalChecks: every cell done once, complete; none run by two runners at
// once, none started after its result was published, nothing replaced.
// With stalls, a runner stopped right after its last check may start a
// cell after another published it (into its own staging folder, which is
// never published): only the hashes can tell there.
func (s *stressRig) finalChecks() { s.finalChecksWith(false) }

func (s *stressRig) finalChecksWith(stalls bool) {
	t := s.t
	t.Helper()
	s.check("at the end")
	log, _ := os.ReadFile(filepath.Join(s.dir, "starts.log"))
	if bytes.Contains(log, []byte("DOUBLE")) {
		t.Errorf("a cell was trained by two live runners at once:\n%s", grepLines(string(log), "DOUBLE"))
	}
	starts := map[string][]time.Time{}
	sc := bufio.NewScanner(bytes.NewReader(log))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 4 && f[0] == "start" {
			ns, _ := strconv.ParseInt(f[3], 10, 64)
			starts[f[1]] = append(starts[f[1]], time.Unix(0, ns))
		}
	}
	for _, c := range s.cells {
		dir := results.CellDir(s.root, "kill", c.Key)
		sum, err := results.ReadSummary(dir)
		if err != nil || sum.Outcome != "done" {
			t.Errorf("%s: %v", c.Key, err)
			continue
		}
		if metrics, _ := results.ReadMetrics(dir); len(metrics) != c.Config.Epochs {
			t.Errorf("%s: %d metrics lines, want %d", c.Key, len(metrics), c.Config.Epochs)
		}
		for _, st := range starts[c.Key] {
			if !stalls && st.After(sum.Finished) {
				t.Errorf("%s was started again at %s, after its result was published (finished %s)", c.Key, st, sum.Finished)
			}
		}
		h, err := claim.History(results.ClaimDir(s.root, c.Key))
		if err != nil || len(h) == 0 || h[len(h)-1].Released == nil && !deadPID(h[len(h)-1].PID) {
			t.Errorf("%s: claim not released at the end (%v): %+v", c.Key, err, h)
		}
	}
	if moved, _ := filepath.Glob(filepath.Join(s.root, "kill", results.ReplacedDir, "*")); len(moved) > 0 {
		t.Errorf("finished results were replaced: %v", moved)
	}
	if extra, _ := filepath.Glob(filepath.Join(s.root, "kill", "*", ".*")); len(extra) > 0 {
		t.Errorf("temp files left in cell folders: %v", extra)
	}
	t.Logf("%d cells, %d starts in all", len(s.cells), strings.Count(string(log), "start "))
}

func deadPID(pid int) bool { return syscall.Kill(pid, 0) != nil }

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// runStress starts a runner per shard flag on one tree, SIGKILLs a random
// live one at random instants and starts it again, then lets them finish.
func runStress(t *testing.T, shards []string, kills int) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	s := newStressRig(t)
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewSource(seed))
	t.Logf("kill instants seeded with %d", seed)
	children := make([]*stressChild, len(shards))
	for i, sh := range shards {
		children[i] = startStressChild(t, s.dir, sh, "")
	}
	killed := 0
	for killed < kills {
		time.Sleep(time.Duration(20+rng.Intn(100)) * time.Millisecond)
		s.check(fmt.Sprintf("before kill %d", killed+1))
		var live []int
		for i, c := range children {
			if c.alive() {
				live = append(live, i)
			}
		}
		if len(live) == 0 {
			break
		}
		i := live[rng.Intn(len(live))]
		children[i].cmd.Process.Signal(syscall.SIGKILL)
		<-children[i].exited
		killed++
		s.check(fmt.Sprintf("after kill %d (shard %q)", killed, children[i].shard))
		children[i] = startStressChild(t, s.dir, children[i].shard, "")
	}
	deadline := time.After(60 * time.Second)
	for _, c := range children {
		select {
		case <-c.exited:
		case <-deadline:
			t.Fatalf("runner --shard %q did not finish in 60 s:\n%s", c.shard, c.out.String())
		}
		if c.err != nil {
			t.Errorf("runner --shard %q: %v\n%s", c.shard, c.err, c.out.String())
		}
	}
	t.Logf("%d kills", killed)
	s.finalChecks()
}

// Runners with different shard flags and an unsharded one on one tree,
// killed at random (a shared tree must survive any mix of runners): every cell done exactly once, no finished file
// changed.
func TestStressMixedShardsAndKills(t *testing.T) {
	runStress(t, []string{"1/2", "1/3", "2/3", ""}, 10)
}

// Four claim-mode workers (no --shard: cells taken by claim, longest
// first) killed at random.
func TestStressClaimWorkersAndKills(t *testing.T) {
	runStress(t, []string{"", "", "", ""}, 10)
}

// SIGINT and SIGTERM stop a run within a few seconds in every phase, the
// cell in flight marked interrupted and its claim released.
func TestSignalsStopARunPromptly(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	cases := []struct {
		name  string
		sig   syscall.Signal
		train string
		phase string // training, waiting, starting
	}{
		{"SIGTERM while a cell trains", syscall.SIGTERM, "slow", "training"},
		{"SIGINT while a stuck trainer does not return", syscall.SIGINT, "stuck", "training"},
		{"SIGTERM while waiting on claims others hold", syscall.SIGTERM, "", "waiting"},
		{"SIGINT while starting up", syscall.SIGINT, "", "starting"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStressRig(t)
			if tc.phase == "waiting" {
				for _, c := range s.cells {
					cl, err := claim.Acquire(results.ClaimDir(s.root, c.Key), claim.Options{})
					if err != nil {
						t.Fatal(err)
					}
					defer cl.Release()
				}
			}
			c := startStressChild(t, s.dir, "", tc.train)
			switch tc.phase {
			case "training":
				waitForStarts(t, filepath.Join(s.dir, "starts.log"), c.cmd.Process.Pid, 1, c.exited)
			case "waiting":
				waitFor(t, c, "waiting for 12 cells other runners hold")
			case "starting":
				time.Sleep(time.Duration(rand.Intn(20)) * time.Millisecond)
			}
			t0 := time.Now()
			c.cmd.Process.Signal(tc.sig)
			select {
			case <-c.exited:
			case <-time.After(5 * time.Second):
				t.Fatalf("still running 5 s after %s:\n%s", tc.sig, c.out.String())
			}
			took := time.Since(t0)
			t.Logf("stopped %s after %s", took.Round(time.Millisecond), tc.sig)
			code := c.cmd.ProcessState.ExitCode()
			if tc.phase != "starting" && code != 3 {
				t.Fatalf("exit status %d, want 3 (interrupted):\n%s", code, c.out.String())
			}
			switch tc.phase {
			case "training":
				stored, _ := results.ScanResults(s.root)
				var marked []results.StoredCell
				var in *results.Interruption
				for _, sc := range stored {
					if m, _ := results.ReadInterrupted(sc.Dir); m != nil {
						marked, in = append(marked, sc), m
					}
				}
				if len(marked) != 1 || marked[0].State != results.StateInFlight ||
					in.Reason != tc.sig.String()+" signal received" {
					t.Fatalf("interrupted cells: %+v (%+v), want the one in flight", marked, in)
				}
				rec, err := claim.Current(results.ClaimDir(s.root, marked[0].Key))
				if err != nil || rec == nil || rec.Released == nil {
					t.Errorf("the interrupted cell's claim was not released: %+v %v", rec, err)
				}
				var out bytes.Buffer
				sts, _ := results.Status(s.root)
				results.WriteStatus(&out, sts)
				if !strings.Contains(out.String(), "interrupted (will be rerun): kill/"+marked[0].Key+": "+tc.sig.String()+" signal received at ") {
					t.Errorf("status does not say the cell was interrupted:\n%s", out.String())
				}
			case "waiting":
				if stored, _ := results.ScanResults(s.root); len(stored) != 0 {
					t.Errorf("a runner waiting on others' claims touched cells: %+v", stored)
				}
			case "starting":
				if code != 3 && code != 0 && c.cmd.ProcessState.Sys().(syscall.WaitStatus).Signal() != tc.sig {
					t.Errorf("exit status %d:\n%s", code, c.out.String())
				}
			}
		})
	}
}

func waitFor(t *testing.T, c *stressChild, text string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(c.out.String(), text) {
		if !c.alive() || time.Now().After(deadline) {
			t.Fatalf("the runner never said %q:\n%s", text, c.out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
