// Package slurmtest starts a real single-node Slurm cluster for tests, from
// Debian's packages (slurmctld, slurmd, slurm-client, munge): a private munge
// daemon and socket, slurmctld and slurmd in the foreground, every file
// under one temp folder, on two free loopback ports. Nothing is started
// through systemd (these machines have none) and everything is stopped by
// its own PID.
//
// Start installs the packages with apt-get when they are missing and it runs
// as root; where Slurm cannot be installed or started the test is skipped
// with the reason, except under CI=true, where that fails it.
package slurmtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Packages are the Debian packages a cluster needs (.ci/run installs them too).
var Packages = []string{"slurmctld", "slurmd", "slurm-client", "munge"}

// CPUs is how many CPUs the node advertises (SlurmdParameters=config_overrides
// lets it advertise more than the machine has, so that the tasks of an array
// run side by side on a small machine; they are processes sharing its cores).
const CPUs = 8

// Cluster is a running single-node Slurm.
type Cluster struct {
	Dir  string // every config, state, log and socket
	Conf string // slurm.conf; client commands get SLURM_CONF=Conf
	t    testing.TB
	// Started is how long Start took (install not counted), Installed how
	// long installing took (0 if the packages were there).
	Started, Installed time.Duration
	procs              []daemonProc
}

type daemonProc struct {
	cmd    *exec.Cmd
	exited chan error // gets Wait's result
}

// Start starts a cluster and stops it when the test ends.
func Start(t testing.TB) *Cluster {
	t.Helper()
	unavailable := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("CI") == "true" {
			t.Fatalf("Slurm test cluster: %s (CI=true: a missing Slurm is a failure, not a skip)", msg)
		}
		t.Skipf("Slurm test cluster: %s; skipping (install %s as root to run it)", msg, strings.Join(Packages, " "))
	}
	if runtime.GOOS != "linux" {
		unavailable("needs Linux, not %s", runtime.GOOS)
	}
	var installed time.Duration
	if missing := missingTools(); len(missing) > 0 {
		t0 := time.Now()
		if err := install(); err != nil {
			unavailable("%s not found, and installing them failed: %v", strings.Join(missing, ", "), err)
		}
		installed = time.Since(t0)
		if missing := missingTools(); len(missing) > 0 {
			unavailable("%s still missing after installing %s", strings.Join(missing, ", "), strings.Join(Packages, " "))
		}
	}
	t0 := time.Now()
	// A short path: the munge socket's must fit a sockaddr_un (108 bytes).
	dir, err := os.MkdirTemp("", "slurm-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{Dir: dir, Conf: filepath.Join(dir, "slurm.conf"), t: t, Installed: installed}
	t.Cleanup(c.stop)
	if err := c.start(); err != nil {
		c.dumpLogs()
		unavailable("could not start: %v", err)
	}
	c.Started = time.Since(t0)
	t.Logf("Slurm cluster up in %s (install %s), in %s", c.Started.Round(time.Millisecond), installed.Round(time.Millisecond), dir)
	return c
}

func missingTools() []string {
	var missing []string
	for _, tool := range []string{"munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	return missing
}

func install() error {
	if os.Geteuid() != 0 {
		return errors.New("not root")
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return errors.New("no apt-get")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, args := range [][]string{
		{"update", "-qq"},
		append([]string{"install", "-y", "-qq", "--no-install-recommends"}, Packages...),
	} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("apt-get %s: %v: %s", strings.Join(args, " "), err, lastLines(out, 5))
		}
	}
	return nil
}

func (c *Cluster) path(name string) string { return filepath.Join(c.Dir, name) }

func (c *Cluster) start() error {
	for _, d := range []string{"munge", "state", "spool"} {
		if err := os.MkdirAll(c.path(d), 0o700); err != nil {
			return err
		}
	}
	key := make([]byte, 1024)
	rand.Read(key)
	if err := os.WriteFile(c.path("munge/munge.key"), key, 0o400); err != nil {
		return err
	}
	sock := c.path("munge/munge.sock")
	// -f: munged refuses a socket folder under a world-writable /tmp otherwise.
	if err := c.daemon("munged", "munged", "-F", "-f", "--socket="+sock,
		"--key-file="+c.path("munge/munge.key"), "--log-file="+c.path("munged.log"),
		"--pid-file="+c.path("munge/munged.pid"), "--seed-file="+c.path("munge/munged.seed")); err != nil {
		return err
	}
	if err := waitFor(10*time.Second, func() error {
		_, err := os.Stat(sock)
		return err
	}); err != nil {
		return fmt.Errorf("munged never made its socket: %w", err)
	}
	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	if err := os.WriteFile(c.Conf, []byte(c.config(sock, ports)), 0o644); err != nil {
		return err
	}
	if err := c.daemon("slurmctld", "slurmctld", "-D", "-f", c.Conf); err != nil {
		return err
	}
	if err := c.daemon("slurmd", "slurmd", "-D", "-N", "localhost", "-f", c.Conf); err != nil {
		return err
	}
	return waitFor(30*time.Second, func() error {
		out, err := c.Run("sinfo", "-h", "-n", "localhost", "-o", "%T")
		if err != nil {
			return err
		}
		if s := strings.TrimSpace(out); s != "idle" {
			return fmt.Errorf("node is %q", s)
		}
		return nil
	})
}

func (c *Cluster) config(sock string, ports []int) string {
	return fmt.Sprintf(`# A single-node test cluster (alexbench deploy/slurm/slurmtest).
ClusterName=alexbench-test
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=%d
SlurmdPort=%d
AuthType=auth/munge
AuthInfo=socket=%s
CredType=cred/munge
StateSaveLocation=%s
SlurmdSpoolDir=%s
SlurmctldPidFile=%s
SlurmdPidFile=%s
SlurmctldLogFile=%s
SlurmdLogFile=%s
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
# Array tasks side by side, one core each.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# Start dependent jobs promptly (defaults: every 60 s and 30 s).
SchedulerParameters=sched_interval=1,bf_interval=1
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
# Keep finished jobs visible to squeue -t all / scontrol (no slurmdbd here).
MinJobAge=3600
NodeName=localhost CPUs=%d State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
`, ports[0], ports[1], sock, c.path("state"), c.path("spool"),
		c.path("slurmctld.pid"), c.path("slurmd.pid"), c.path("slurmctld.log"), c.path("slurmd.log"), CPUs)
}

// daemon starts a foreground daemon, its output in <name>.out.
func (c *Cluster) daemon(name string, args ...string) error {
	out, err := os.Create(c.path(name + ".out"))
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = c.Env()
	// Its own process group, so a ^C of go test reaches it through us only.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", name, err)
	}
	d := daemonProc{cmd: cmd, exited: make(chan error, 1)}
	go func() { d.exited <- cmd.Wait() }()
	select {
	case err := <-d.exited:
		return fmt.Errorf("%s exited at once: %v: %s", name, err, lastLines(readFile(c.path(name+".out")), 5))
	case <-time.After(300 * time.Millisecond):
	}
	c.procs = append(c.procs, d)
	return nil
}

// Env is the environment for client commands and jobs.
func (c *Cluster) Env() []string {
	return append(os.Environ(), "SLURM_CONF="+c.Conf)
}

// Command is a client command (sbatch, squeue, …) against the cluster.
func (c *Cluster) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = c.Env()
	return cmd
}

// Run runs a client command with a 15 s timeout (a client whose slurmctld is
// gone blocks ~10 s per retry) and returns its stdout.
func (c *Cluster) Run(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := c.Command(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// Sbatch submits a job (sbatch --parsable args...) and returns its ID.
func (c *Cluster) Sbatch(args ...string) (string, error) {
	out, err := c.Run("sbatch", append([]string{"--parsable"}, args...)...)
	if err != nil {
		return "", err
	}
	id, _, _ := strings.Cut(strings.TrimSpace(out), ";")
	return id, nil
}

// States is every job and array task of the cluster: ID (12, 11_3) → state
// (COMPLETED, FAILED, CANCELLED, PENDING, RUNNING, …), from squeue -t all.
func (c *Cluster) States() (map[string]string, error) {
	out, err := c.Run("squeue", "-h", "-t", "all", "-r", "-o", "%i %T")
	if err != nil {
		return nil, err
	}
	states := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if id, st, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
			states[id] = st
		}
	}
	return states, nil
}

// Finished tells whether a state is final.
func Finished(state string) bool {
	switch state {
	case "PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING", "SIGNALING", "STAGE_OUT":
		return false
	}
	return state != ""
}

// Wait waits until the jobs are finished — a job ID also stands for all its
// array tasks — and returns the states of those jobs and tasks.
func (c *Cluster) Wait(timeout time.Duration, jobs ...string) (map[string]string, error) {
	deadline := time.Now().Add(timeout)
	for {
		all, err := c.States()
		if err != nil {
			return nil, err
		}
		mine, done := map[string]string{}, true
		for _, j := range jobs {
			found := false
			for id, st := range all {
				if id == j || strings.HasPrefix(id, j+"_") {
					mine[id], found = st, true
					done = done && Finished(st)
				}
			}
			done = done && found
		}
		if done {
			return mine, nil
		}
		if time.Now().After(deadline) {
			c.dumpLogs()
			return mine, fmt.Errorf("jobs %v not finished after %s: %v", jobs, timeout, mine)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// stop cancels every job, waits for them, then stops slurmd, slurmctld and
// munged by their PIDs.
func (c *Cluster) stop() {
	if len(c.procs) >= 3 {
		c.Run("scancel", "--user=root", "--full")
		waitFor(10*time.Second, func() error {
			st, err := c.States()
			if err != nil {
				return nil
			}
			for id, s := range st {
				if !Finished(s) {
					return fmt.Errorf("%s is %s", id, s)
				}
			}
			return nil
		})
	}
	for i := len(c.procs) - 1; i >= 0; i-- {
		d := c.procs[i]
		d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.exited:
		case <-time.After(10 * time.Second):
			d.cmd.Process.Kill()
			<-d.exited
		}
	}
	if c.t.Failed() {
		c.dumpLogs()
	}
	os.RemoveAll(c.Dir)
}

// dumpLogs puts the daemons' last log lines into the test log.
func (c *Cluster) dumpLogs() {
	for _, f := range []string{"munged.out", "slurmctld.out", "slurmctld.log", "slurmd.out", "slurmd.log"} {
		if b := readFile(c.path(f)); len(b) > 0 {
			c.t.Logf("--- %s (last lines)\n%s", f, lastLines(b, 15))
		}
	}
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func waitFor(timeout time.Duration, ok func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := ok()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func readFile(path string) []byte {
	b, _ := os.ReadFile(path)
	return b
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
