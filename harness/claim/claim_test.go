package claim

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as a worker process: CLAIM_HELPER names the role.
func TestMain(m *testing.M) {
	switch os.Getenv("CLAIM_HELPER") {
	case "":
		os.Exit(m.Run())
	case "hold-and-exit":
		// Take the claim and exit without releasing it, like a killed worker.
		c, err := Acquire(os.Getenv("CLAIM_DIR"), Options{Interval: -1, Timeout: time.Hour})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Println(c.Record().Gen)
		os.Exit(0)
	case "worker":
		os.Exit(worker(os.Getenv("CLAIM_ROOT"), os.Getenv("CLAIM_N")))
	default:
		fmt.Fprintln(os.Stderr, "unknown CLAIM_HELPER")
		os.Exit(2)
	}
}

var quick = Options{Timeout: 2 * time.Second, Interval: 100 * time.Millisecond}

func TestAcquireHoldRelease(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cell")
	c, err := Acquire(dir, quick)
	if err != nil {
		t.Fatal(err)
	}
	if c.TookOver != nil || c.Record().Gen != 1 {
		t.Fatalf("first claim: gen %d, took over %v", c.Record().Gen, c.TookOver)
	}
	_, err = Acquire(dir, quick)
	var held *HeldError
	if !errors.As(err, &held) || !errors.Is(err, ErrHeld) || held.Holder.PID != os.Getpid() {
		t.Fatalf("second Acquire: %v, want held by us", err)
	}
	if ok, r, _ := Held(dir, quick); !ok || r.Token != c.Record().Token {
		t.Fatalf("Held: %v %+v", ok, r)
	}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	if g := c.Record().Gen; g != 2 || c.Record().Renews != 1 {
		t.Fatalf("after Check: gen %d renews %d, want 2, 1", g, c.Record().Renews)
	}
	if err := c.Release(); err != nil {
		t.Fatal(err)
	}
	if err := c.Release(); err != nil {
		t.Fatalf("second Release: %v", err)
	}
	if ok, _, _ := Held(dir, quick); ok {
		t.Fatal("released claim still held")
	}
	c2, err := Acquire(dir, quick)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Release()
	if c2.TookOver != nil || c2.Record().Gen != 3 {
		t.Fatalf("after release: gen %d took over %v, want 3 and no takeover", c2.Record().Gen, c2.TookOver)
	}
	assertNoTemps(t, dir)
}

// exitedPID runs a real child that exits and is reaped: its PID is gone.
func exitedPID(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestTakeover(t *testing.T) {
	self := currentIdentity("")
	now := time.Now()
	old := now.Add(-time.Hour)
	mine := func(pid int, start uint64, hb time.Time) Record {
		return Record{Host: self.host, PID: pid, PIDStart: start, BootID: self.bootID, PIDNS: self.pidNS, Started: hb, Heartbeat: hb}
	}
	other := func(pid int, hb time.Time) Record {
		return Record{Host: "node-elsewhere", PID: pid, BootID: "another-boot", Started: hb, Heartbeat: hb}
	}
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { sleeper.Process.Kill(); sleeper.Wait() }()
	sleeperStart, _, _ := procStat(sleeper.Process.Pid)

	released := mine(os.Getpid(), self.pidStart, now)
	released.Released = &now
	otherNS := mine(exitedPID(t), 0, now)
	otherNS.PIDNS = "pid:[1]" // same host name, another container: its PID means nothing here

	cases := []struct {
		name    string
		rec     *Record // nil: a damaged file
		mtime   time.Time
		free    bool
		took    bool
		because string
	}{
		{"stale heartbeat, other host", ptr(other(1234, old)), time.Time{}, true, true, "heartbeat is"},
		{"fresh heartbeat, other host, PID unknown here", ptr(other(exitedPID(t), now)), time.Time{}, false, false, ""},
		{"fresh heartbeat, PID gone on this host", ptr(mine(exitedPID(t), 0, now)), time.Time{}, true, true, "no longer running"},
		{"fresh heartbeat, PID reused by another process", ptr(mine(os.Getpid(), self.pidStart+1, now)), time.Time{}, true, true, "no longer running"},
		{"fresh heartbeat, live process on this host", ptr(mine(sleeper.Process.Pid, sleeperStart, now)), time.Time{}, false, false, ""},
		{"same host name, other PID namespace", &otherNS, time.Time{}, false, false, ""},
		{"released", &released, time.Time{}, true, false, ""},
		{"damaged file, old", nil, old, true, true, "heartbeat is"},
		{"damaged file, new", nil, now, false, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.rec != nil {
				tc.rec.Gen, tc.rec.Token = 1, "theirs"
				if err := writeNewGen(dir, *tc.rec); err != nil {
					t.Fatal(err)
				}
			} else {
				os.WriteFile(genPath(dir, 1), []byte("{not json"), 0o644)
				os.Chtimes(genPath(dir, 1), tc.mtime, tc.mtime)
			}
			var logged strings.Builder
			opts := Options{Timeout: time.Minute, Interval: -1, Logf: func(f string, a ...any) { fmt.Fprintf(&logged, f, a...) }}
			c, err := Acquire(dir, opts)
			if !tc.free {
				if !errors.Is(err, ErrHeld) {
					t.Fatalf("Acquire: %v, want held", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Acquire: %v, want free", err)
			}
			defer c.Release()
			if c.Record().Gen != 2 {
				t.Errorf("gen %d, want 2", c.Record().Gen)
			}
			if (c.TookOver != nil) != tc.took {
				t.Fatalf("TookOver %v, want takeover %v", c.TookOver, tc.took)
			}
			if !tc.took {
				return
			}
			if !strings.Contains(c.TookOver.Reason, tc.because) {
				t.Errorf("reason %q, want %q", c.TookOver.Reason, tc.because)
			}
			if !strings.Contains(logged.String(), "took over") || !strings.Contains(logged.String(), tc.because) {
				t.Errorf("takeover not logged: %q", logged.String())
			}
			if h, _ := History(dir); len(h) != 2 || h[1].TookOver == nil || h[1].TookOver.Gen != 1 {
				t.Errorf("generation 2 does not record the takeover: %+v", h)
			}
		})
	}
}

func ptr(r Record) *Record { return &r }

// A real child process takes the claim and exits without releasing it.
func TestDeadProcessTakeover(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cell")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CLAIM_HELPER=hold-and-exit", "CLAIM_DIR="+dir)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	if strings.TrimSpace(string(out)) != "1" {
		t.Fatalf("child took generation %q", out)
	}
	// Its heartbeat is fresh and the timeout an hour: only the dead PID frees it.
	c, err := Acquire(dir, Options{Timeout: time.Hour, Interval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	if c.TookOver == nil || c.TookOver.PID != cmd.Process.Pid || !strings.Contains(c.TookOver.Reason, "no longer running") {
		t.Fatalf("took over %+v, want the dead child %d", c.TookOver, cmd.Process.Pid)
	}
}

// N goroutines race for M claims (fresh, then all stale): each is won exactly once.
func TestRaceGoroutines(t *testing.T) {
	for _, stale := range []bool{false, true} {
		t.Run(fmt.Sprintf("stale=%v", stale), func(t *testing.T) {
			root := t.TempDir()
			const workers, claims = 8, 25
			if stale {
				for i := 0; i < claims; i++ {
					dir := filepath.Join(root, strconv.Itoa(i))
					os.MkdirAll(dir, 0o755)
					old := time.Now().Add(-time.Hour)
					writeNewGen(dir, Record{Gen: 1, Token: "dead", Host: "gone", PID: 1, Started: old, Heartbeat: old})
				}
			}
			var mu sync.Mutex
			won := map[int][]int{}
			var wg sync.WaitGroup
			start := make(chan struct{})
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					<-start
					for _, i := range rand.Perm(claims) {
						c, err := Acquire(filepath.Join(root, strconv.Itoa(i)), Options{Timeout: time.Minute, Interval: -1})
						if errors.Is(err, ErrHeld) {
							continue
						}
						if err != nil {
							t.Error(err)
							return
						}
						if stale != (c.TookOver != nil) {
							t.Errorf("claim %d: took over %v", i, c.TookOver)
						}
						mu.Lock()
						won[i] = append(won[i], w)
						mu.Unlock()
					}
				}(w)
			}
			close(start)
			wg.Wait()
			for i := 0; i < claims; i++ {
				if len(won[i]) != 1 {
					t.Errorf("claim %d won by %v, want exactly one worker", i, won[i])
				}
			}
		})
	}
}

// worker is a helper process: it does the work of every claim under root
// once, logging "start PID" and "end PID" lines, with a done marker written
// exclusively at the end. Exit status 3: a done marker already existed when
// it finished (a double run).
func worker(root, n string) int {
	m, _ := strconv.Atoi(n)
	opts := Options{Timeout: 1500 * time.Millisecond, Interval: 100 * time.Millisecond}
	pid := os.Getpid()
	for pass := 0; pass < 200; pass++ {
		left := 0
		for _, i := range rand.Perm(m) {
			dir := filepath.Join(root, strconv.Itoa(i))
			done := filepath.Join(dir, "done")
			if _, err := os.Stat(done); err == nil {
				continue
			}
			left++
			c, err := Acquire(dir, opts)
			if errors.Is(err, ErrHeld) {
				continue
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 2
			}
			if _, err := os.Stat(done); err == nil { // finished while we acquired
				c.Release()
				continue
			}
			if c.Check() != nil {
				continue
			}
			appendLine(filepath.Join(dir, "log"), fmt.Sprintf("start %d", pid))
			time.Sleep(time.Duration(5+rand.Intn(30)) * time.Millisecond)
			if c.Check() != nil {
				continue
			}
			appendLine(filepath.Join(dir, "log"), fmt.Sprintf("end %d", pid))
			if err := CreateExclusive(done, []byte(strconv.Itoa(pid))); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 3
			}
			c.Release()
		}
		if left == 0 {
			return 0
		}
		time.Sleep(50 * time.Millisecond)
	}
	return 4
}

// waitMidWork waits (up to 2 s) until pid is inside some claim's work: its
// "start" is the last line of a log.
func waitMidWork(root string, m, pid int) bool {
	want := fmt.Sprintf("start %d\n", pid)
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		for i := 0; i < m; i++ {
			if b, err := os.ReadFile(filepath.Join(root, strconv.Itoa(i), "log")); err == nil && strings.HasSuffix(string(b), want) {
				return true
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	return false
}

func appendLine(path, line string) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		panic(err)
	}
	f.WriteString(line + "\n")
	f.Close()
}

func startWorker(t *testing.T, root string, m int) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CLAIM_HELPER=worker", "CLAIM_ROOT="+root, "CLAIM_N="+strconv.Itoa(m))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// Real processes race for real claims, some killed with SIGKILL mid-work and
// replaced: every claim's work ends exactly once, and never while another
// process was doing it (each "end P" right after "start P").
func TestRaceProcessesWithKills(t *testing.T) {
	for _, kills := range []int{0, 6} {
		t.Run(fmt.Sprintf("kills=%d", kills), func(t *testing.T) {
			root := t.TempDir()
			const workers, claims = 4, 40
			procs := make([]*exec.Cmd, workers)
			for i := range procs {
				procs[i] = startWorker(t, root, claims)
			}
			exited := make([]chan error, workers)
			watch := func(i int) {
				exited[i] = make(chan error, 1)
				go func(c *exec.Cmd, ch chan error) { ch <- c.Wait() }(procs[i], exited[i])
			}
			for i := range procs {
				watch(i)
			}
			killed, midWork := 0, 0
			for ; killed < kills; killed++ {
				time.Sleep(time.Duration(10+rand.Intn(30)) * time.Millisecond)
				i := rand.Intn(workers)
				if waitMidWork(root, claims, procs[i].Process.Pid) {
					midWork++
				}
				procs[i].Process.Signal(syscall.SIGKILL)
				<-exited[i]
				procs[i] = startWorker(t, root, claims)
				watch(i)
			}
			for i := range procs {
				select {
				case err := <-exited[i]:
					if err != nil {
						t.Errorf("worker %d: %v", i, err)
					}
				case <-time.After(60 * time.Second):
					procs[i].Process.Kill()
					t.Fatalf("worker %d did not finish", i)
				}
			}
			takeovers := 0
			for i := 0; i < claims; i++ {
				dir := filepath.Join(root, strconv.Itoa(i))
				lines := readLines(t, filepath.Join(dir, "log"))
				ends := 0
				for j, l := range lines {
					if pid, ok := strings.CutPrefix(l, "end "); ok {
						ends++
						if j == 0 || lines[j-1] != "start "+pid {
							t.Errorf("claim %d: %q not right after its start: %q", i, l, lines)
						}
					}
				}
				if ends != 1 {
					t.Errorf("claim %d: work finished %d times: %q", i, ends, lines)
				}
				if _, err := os.Stat(filepath.Join(dir, "done")); err != nil {
					t.Errorf("claim %d: %v", i, err)
				}
				assertNoDoubleHolders(t, dir)
				h, _ := History(dir)
				for _, r := range h {
					if r.TookOver != nil {
						takeovers++
					}
				}
			}
			t.Logf("%d kills, %d of them mid-work; %d takeovers", killed, midWork, takeovers)
			if midWork > 0 && takeovers == 0 {
				t.Error("workers were killed holding claims, yet nothing was taken over")
			}
		})
	}
}

// assertNoDoubleHolders: every generation but a takeover or a renewal follows
// a released one (one holder at a time, as the files tell it).
func assertNoDoubleHolders(t *testing.T, dir string) {
	t.Helper()
	h, err := History(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range h {
		if r.Gen != i+1 {
			t.Errorf("%s: generation %d at position %d", dir, r.Gen, i)
		}
		if i == 0 || r.TookOver != nil {
			continue
		}
		prev := h[i-1]
		if r.Renews == prev.Gen && r.Token == prev.Token {
			continue
		}
		if prev.Released == nil {
			t.Errorf("%s: generation %d started while %d was neither released nor taken over", dir, r.Gen, prev.Gen)
		}
	}
}

func readLines(t *testing.T, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		out = append(out, s.Text())
	}
	return out
}

// A holder that was taken over learns it from Heartbeat, Check and Lost, and
// its Release leaves the new holder's claim alone.
func TestLostClaim(t *testing.T) {
	for _, how := range []string{"heartbeat", "check", "goroutine"} {
		t.Run(how, func(t *testing.T) {
			dir := t.TempDir()
			now := time.Now()
			clock := func() time.Time { return now }
			opts := Options{Timeout: time.Minute, Interval: -1, Now: clock}
			if how == "goroutine" {
				opts.Interval = 20 * time.Millisecond
			}
			a, err := Acquire(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			// Another host, an hour later by its clock, finds a's heartbeat stale.
			later := Options{Timeout: time.Minute, Interval: -1, Host: "other-node", Now: func() time.Time { return now.Add(time.Hour) }}
			b, err := Acquire(dir, later)
			if err != nil || b.TookOver == nil {
				t.Fatalf("takeover: %v %v", err, b)
			}
			switch how {
			case "heartbeat":
				err = a.Heartbeat()
			case "check":
				err = a.Check()
			case "goroutine":
				select {
				case <-a.Lost():
				case <-time.After(5 * time.Second):
					t.Fatal("heartbeat goroutine never noticed the takeover")
				}
				err = a.Check()
			}
			if !errors.Is(err, ErrLost) || !strings.Contains(err.Error(), "other-node") {
				t.Fatalf("%s after takeover: %v, want ErrLost naming other-node", how, err)
			}
			select {
			case <-a.Lost():
			default:
				t.Fatal("Lost not closed")
			}
			if err := a.Release(); !errors.Is(err, ErrLost) {
				t.Fatalf("Release of a lost claim: %v", err)
			}
			if cur, _ := Current(dir); cur.Token != b.Record().Token || cur.Released != nil {
				t.Fatalf("the new holder's claim was touched: %+v", cur)
			}
			if err := b.Check(); err != nil {
				t.Fatalf("new holder: %v", err)
			}
			b.Release()
		})
	}
}

// The heartbeat goroutine keeps a claim alive well past its timeout.
func TestHeartbeatKeepsClaim(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Timeout: 300 * time.Millisecond, Interval: 50 * time.Millisecond}
	a, err := Acquire(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	first := a.Record().Heartbeat
	other := Options{Timeout: 300 * time.Millisecond, Interval: -1, Host: "other-node"}
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		if _, err := Acquire(dir, other); !errors.Is(err, ErrHeld) {
			t.Fatalf("live claim taken: %v", err)
		}
		time.Sleep(30 * time.Millisecond)
	}
	if !a.Record().Heartbeat.After(first) {
		t.Fatal("heartbeat never refreshed")
	}
	if err := a.Release(); err != nil {
		t.Fatal(err)
	}
	// Stopped: no heartbeat after release, and the file says released.
	cur, _ := Current(dir)
	time.Sleep(120 * time.Millisecond)
	if cur2, _ := Current(dir); cur2.Heartbeat != cur.Heartbeat || cur2.Released == nil {
		t.Fatalf("after release: %+v then %+v", cur, cur2)
	}
}

func TestCreateExclusive(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "summary.json")
	if err := CreateExclusive(p, []byte("first")); err != nil {
		t.Fatal(err)
	}
	err := CreateExclusive(p, []byte("second"))
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second create: %v, want ErrExist", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "first" {
		t.Fatalf("content %q", b)
	}
	assertNoTemps(t, dir)
}

// Temp files of killed writers are cleaned once older than the timeout.
func TestStaleTempsCleaned(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, tempPrefix+"killed")
	fresh := filepath.Join(dir, tempPrefix+"writing")
	os.WriteFile(old, nil, 0o644)
	os.WriteFile(fresh, nil, 0o644)
	os.Chtimes(old, time.Now().Add(-time.Hour), time.Now().Add(-time.Hour))
	c, err := Acquire(dir, Options{Interval: -1})
	if err != nil {
		t.Fatal(err)
	}
	c.Release()
	if _, err := os.Stat(old); !errors.Is(err, fs.ErrNotExist) {
		t.Error("old temp file kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("fresh temp file removed")
	}
}

func assertNoTemps(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			t.Errorf("temp file left: %s", e.Name())
		}
	}
}
