package harness

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"alexbench/harness/claim"
)

// The claim steps at which a runner may stall or die: the claim's own
// (renewal, heartbeat) and the runner's (an epoch's metrics write, publish).
var claimSteps = []string{claim.StepRenew, claim.StepHeartbeat, StepMetrics, StepPublish}

// stallAt is a stress child's claim.Options.Pause: spec "step:action:n"
// stops (SIGSTOP, as a hung NFS call or a suspended job would) or kills
// (SIGKILL) this process the n-th time it reaches step, after logging
// "<action> <step> <pid>" to dir/stalls.log. "": nil.
func stallAt(dir, spec string) func(string) {
	if spec == "" {
		return nil
	}
	f := strings.Split(spec, ":")
	n, _ := strconv.Atoi(f[2])
	var mu sync.Mutex
	seen := 0
	return func(step string) {
		if step != f[0] {
			return
		}
		mu.Lock()
		seen++
		hit := seen == n
		mu.Unlock()
		if !hit {
			return
		}
		appendLine(filepath.Join(dir, "stalls.log"), fmt.Sprintf("%s %s %d", f[1], step, os.Getpid()))
		sig := syscall.SIGSTOP
		if f[1] == "kill" {
			sig = syscall.SIGKILL
		}
		syscall.Kill(os.Getpid(), sig)
	}
}

func appendLine(path, line string) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	fmt.Fprintln(f, line)
	f.Close()
}

// stopped tells whether pid is stopped by a signal (state T in /proc).
func stopped(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i > 0 && len(b) > i+2 && (b[i+2] == 'T' || b[i+2] == 't')
}

// stallTimeout is the stall tests' claim timeout: a stopped runner's claim is
// taken over a second after its last heartbeat.
const stallTimeout = time.Second

// A runner stopped inside each claim step in turn — right after renewing its
// claim, inside a heartbeat, about to write an epoch's metrics, about to
// publish — is taken over by a second runner, which finishes the sweep; when
// the first resumes, it publishes nothing and changes no byte of any
// finished cell, and leaves no staging folder behind.
func TestStalledRunnerNeverWritesIntoAPublishedCell(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	for _, step := range claimSteps {
		t.Run(step, func(t *testing.T) {
			s := newStressRig(t)
			env := []string{"STRESS_TIMEOUT=" + stallTimeout.String()}
			// The second renewal is the one before publishing.
			n := map[string]int{claim.StepRenew: 2}[step]
			a := startStressChild(t, s.dir, "", "", append(env, fmt.Sprintf("STRESS_STALL=%s:stop:%d", step, max(n, 1)))...)
			pid := a.cmd.Process.Pid
			deadline := time.Now().Add(10 * time.Second)
			for !stopped(pid) {
				if !a.alive() || time.Now().After(deadline) {
					t.Fatalf("the runner never stopped at %s:\n%s", step, a.out.String())
				}
				time.Sleep(5 * time.Millisecond)
			}
			b := startStressChild(t, s.dir, "", "", env...)
			select {
			case <-b.exited:
			case <-time.After(30 * time.Second):
				t.Fatalf("the second runner did not finish in 30 s:\n%s", b.out.String())
			}
			if b.err != nil {
				t.Fatalf("second runner: %v\n%s", b.err, b.out.String())
			}
			if !strings.Contains(b.out.String(), "took the cell over") {
				t.Fatalf("the second runner took nothing over:\n%s", b.out.String())
			}
			s.check("when the second runner finished")
			if len(s.seen) != len(s.cells) {
				t.Fatalf("%d of %d cells finished", len(s.seen), len(s.cells))
			}
			a.cmd.Process.Signal(syscall.SIGCONT)
			select {
			case <-a.exited:
			case <-time.After(30 * time.Second):
				t.Fatalf("the resumed runner did not finish in 30 s:\n%s", a.out.String())
			}
			s.check("after the stalled runner resumed")
			s.finalChecksWith(true)
			if left, _ := filepath.Glob(filepath.Join(s.root, "kill", ".staging", "*", "*")); len(left) > 0 {
				t.Errorf("staging folders left: %v", left)
			}
			t.Logf("resumed runner:\n%s", grepLines(a.out.String(), "not published"))
		})
	}
}

// --force with a stall: runner A, redoing a finished sweep, stops right after
// renewing its claim on a cell, before moving the old result aside; B, also
// with --force, takes the cell over and publishes a new result. When A
// resumes it must not move B's result away (it finished after A began).
func TestStalledForcedRunnerLeavesTheNewResultInPlace(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	s := newStressRig(t)
	env := []string{"STRESS_TIMEOUT=" + stallTimeout.String()}
	first := startStressChild(t, s.dir, "", "", env...)
	<-first.exited
	if first.err != nil {
		t.Fatalf("first sweep: %v\n%s", first.err, first.out.String())
	}
	a := startStressChild(t, s.dir, "", "", append(env, "STRESS_FORCE=1", "STRESS_STALL="+claim.StepRenew+":stop:1")...)
	for deadline := time.Now().Add(10 * time.Second); !stopped(a.cmd.Process.Pid); time.Sleep(5 * time.Millisecond) {
		if !a.alive() || time.Now().After(deadline) {
			t.Fatalf("the runner never stopped:\n%s", a.out.String())
		}
	}
	b := startStressChild(t, s.dir, "", "", append(env, "STRESS_FORCE=1")...)
	select {
	case <-b.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("the second runner did not finish in 30 s:\n%s", b.out.String())
	}
	if b.err != nil || !strings.Contains(b.out.String(), "took the cell over") {
		t.Fatalf("second runner: %v\n%s", b.err, b.out.String())
	}
	before := finishedCells(t, s.root, "kill")
	a.cmd.Process.Signal(syscall.SIGCONT)
	select {
	case <-a.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("the resumed runner did not finish in 30 s:\n%s", a.out.String())
	}
	after := finishedCells(t, s.root, "kill")
	if len(before) != len(s.cells) || len(after) != len(before) {
		t.Fatalf("%d finished cells before A resumed, %d after; want %d", len(before), len(after), len(s.cells))
	}
	for key, files := range before {
		if !equalTrees(files, after[key]) {
			t.Errorf("the resumed --force runner changed or moved cell %s", key)
		}
	}
}

// The integrity stress test: four claim-mode runners on one tree, stopped
// (past the claim timeout) and killed at every claim step in turn, and at
// random instants; every finished file is hashed from its first publish to
// the end. Every cell ends done exactly once, and no finished byte changes.
func TestStressStallsAndKillsAtEveryClaimStep(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	t0 := time.Now()
	for _, action := range []string{"stop", "kill"} {
		for _, steps := range [][]string{claimSteps[:2], claimSteps[2:]} {
			t.Run(action+" at "+strings.Join(steps, ", "), func(t *testing.T) { stallStress(t, action, steps) })
		}
	}
	t.Run("random", func(t *testing.T) { stallStress(t, "random", nil) })
	t.Logf("took %s", time.Since(t0).Round(time.Millisecond))
}

// stallStress runs one round: action "stop" or "kill" makes runner i stall
// or die at steps[i], the first to third time it gets there (a killed one
// is restarted, with no stall), while the other runners take its cell over;
// "random" SIGKILLs or SIGSTOPs a random runner every 30–150 ms. A stopped
// runner is resumed 1.5–2.5 timeouts later.
func stallStress(t *testing.T, action string, steps []string) {
	s := newStressRig(t)
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewSource(seed))
	t.Logf("seeded with %d", seed)
	env := "STRESS_TIMEOUT=" + stallTimeout.String()
	children := make([]*stressChild, 4)
	for i := range children {
		stall := ""
		if i < len(steps) {
			stall = fmt.Sprintf("STRESS_STALL=%s:%s:%d", steps[i], action, 1+rng.Intn(3))
		}
		children[i] = startStressChild(t, s.dir, "", "", env, stall)
	}
	resumeAt := map[int]time.Time{} // pid → when to SIGCONT it
	events := 0
	deadline := time.Now().Add(60 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("runners still going after 60 s")
		}
		time.Sleep(time.Duration(30+rng.Intn(120)) * time.Millisecond)
		s.check(fmt.Sprintf("after %d events", events))
		live := 0
		for i, c := range children {
			pid := c.cmd.Process.Pid
			if c.alive() {
				live++
				if at, ok := resumeAt[pid]; ok && time.Now().After(at) {
					c.cmd.Process.Signal(syscall.SIGCONT)
					delete(resumeAt, pid)
				} else if !ok && stopped(pid) {
					resumeAt[pid] = time.Now().Add(stallTimeout*3/2 + time.Duration(rng.Int63n(int64(stallTimeout))))
					events++
				}
				continue
			}
			if c.err != nil && c.cmd.ProcessState.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL {
				events++
				children[i] = startStressChild(t, s.dir, "", "", env) // restarted, as Slurm would requeue it
				live++
			} else if c.err != nil {
				t.Fatalf("runner: %v\n%s", c.err, c.out.String())
			}
		}
		if live == 0 {
			break
		}
		if action == "random" && events < 12 {
			c := children[rng.Intn(len(children))]
			if c.alive() && !stopped(c.cmd.Process.Pid) {
				if rng.Intn(2) == 0 {
					c.cmd.Process.Signal(syscall.SIGKILL)
				} else {
					c.cmd.Process.Signal(syscall.SIGSTOP)
				}
			}
		}
	}
	log, _ := os.ReadFile(filepath.Join(s.dir, "stalls.log"))
	t.Logf("%d stops and kills; at claim steps:\n%s", events, log)
	if action != "random" {
		for _, step := range steps {
			if !bytes.Contains(log, []byte(action+" "+step+" ")) {
				t.Errorf("no runner was made to %s at %s", action, step)
			}
		}
	}
	s.finalChecksWith(true)
}
