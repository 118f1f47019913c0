package slurm_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"alexbench/deploy/slurm/slurmtest"
)

// submit.sh and shard.sbatch where an unlucky user or cluster takes them:
// a flag without its value, quoted sbatch flags, a report job that cannot
// be submitted after the array was, and one failed shard rerun alone.
func testSubmitEdges(t *testing.T, c *slurmtest.Cluster) {
	deploy, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	// submitIn runs submit.sh in work with the stand-in alexbench.
	submitIn := func(t *testing.T, work string, env []string, args ...string) (code int, stdout, stderr string) {
		t.Helper()
		bin := filepath.Join(work, "alexbench-stub")
		write(t, bin, stub)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := c.Command(ctx, filepath.Join(deploy, "submit.sh"), args...)
		cmd.Dir = work
		cmd.Env = append(cmd.Env, "ALEXBENCH="+bin, "ALEXBENCH_RESULTS="+filepath.Join(work, "R"),
			"ALEXBENCH_MATRICES=a.toml", "ALEXBENCH_PROFILE=quick", "ALEXBENCH_SLURM_GRES=",
			"STUB_LOG="+filepath.Join(work, "calls"), "STUB_REPORT="+filepath.Join(work, "report-rendered"))
		cmd.Env = append(cmd.Env, env...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, out.String(), errb.String()
	}
	arrayID := regexp.MustCompile(`(?m)^ARRAY_JOB=(\d+)$`)

	t.Run("-n without a value", func(t *testing.T) {
		code, _, stderr := submitIn(t, t.TempDir(), nil, "-n")
		if code != 2 || !strings.Contains(stderr, "-n needs a number") || strings.Contains(stderr, "unbound variable") {
			t.Fatalf("exit %d, stderr %q; want 2 and a message saying -n needs a number", code, stderr)
		}
	})

	t.Run("quoted values in ALEXBENCH_SLURM_ARGS stay whole", func(t *testing.T) {
		work := t.TempDir()
		code, stdout, stderr := submitIn(t, work, []string{`ALEXBENCH_SLURM_ARGS=--comment="nightly sweep" --job-name='ab test'`}, "-n", "1")
		m := arrayID.FindStringSubmatch(stdout)
		if code != 0 || m == nil {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		show, err := c.Run("scontrol", "show", "job", m[1])
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(show, "Comment=nightly sweep") || !strings.Contains(show, "JobName=ab test") {
			t.Errorf("the array job's comment and name were split:\n%s", show)
		}
		c.Wait(60*time.Second, m[1])
	})

	t.Run("the array's id is printed when the report job cannot be submitted", func(t *testing.T) {
		work := t.TempDir()
		partial := filepath.Join(work, "deploy")
		os.Mkdir(partial, 0o755)
		for _, f := range []string{"env.sh", "array.sbatch"} { // no report.sbatch
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(partial, f), string(b))
		}
		code, stdout, stderr := submitIn(t, work, []string{"ALEXBENCH_DEPLOY=" + partial}, "-n", "1")
		m := arrayID.FindStringSubmatch(stdout)
		if m == nil {
			t.Fatalf("exit %d; stdout %q has no ARRAY_JOB= (the array is orphaned); stderr %q", code, stdout, stderr)
		}
		if code == 0 || !strings.Contains(stderr, "the array is job "+m[1]) {
			t.Errorf("exit %d, stderr %q; want a failure naming the array job", code, stderr)
		}
		c.Wait(60*time.Second, m[1])
	})

	t.Run("one failed shard rerun alone", func(t *testing.T) {
		work := t.TempDir()
		bin := filepath.Join(work, "alexbench-stub")
		write(t, bin, stub)
		sbatch := func(env ...string) string {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			cmd := c.Command(ctx, "sbatch", "--parsable", "--array=3", "--chdir="+work,
				"--output="+filepath.Join(work, "shard-%A_%a.out"), filepath.Join(deploy, "shard.sbatch"))
			cmd.Env = append(cmd.Env, "ALEXBENCH="+bin, "ALEXBENCH_DEPLOY="+deploy,
				"ALEXBENCH_RESULTS="+filepath.Join(work, "R"), "ALEXBENCH_MATRICES=a.toml",
				"ALEXBENCH_PROFILE=quick", "STUB_LOG="+filepath.Join(work, "calls"))
			cmd.Env = append(cmd.Env, env...)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("sbatch: %v", err)
			}
			id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";")
			return id
		}
		// As the docs say: the sweep's shard count passed in.
		ok := sbatch("ALEXBENCH_SHARD_COUNT=4")
		// Without it the task cannot know the count: it must say so, not run 3/1.
		bad := sbatch()
		states, err := c.Wait(60*time.Second, ok, bad)
		if err != nil {
			t.Fatal(err)
		}
		calls := read(t, filepath.Join(work, "calls"))
		if !strings.Contains(calls, "--shard 3/4 ") || strings.Contains(calls, "--shard 3/1") || strings.Count(strings.TrimSpace(calls), "\n") != 0 {
			t.Errorf("alexbench was called:\n%s\nwant one run with --shard 3/4", calls)
		}
		if states[ok+"_3"] != "COMPLETED" && states[ok] != "COMPLETED" {
			t.Errorf("the rerun shard: %v", states)
		}
		logs, _ := filepath.Glob(filepath.Join(work, "shard-"+bad+"_3.out"))
		if len(logs) != 1 || !strings.Contains(read(t, logs[0]), "set ALEXBENCH_SHARD_COUNT") {
			t.Errorf("without the count, the task's log does not say to set it: %v", logs)
		}
	})
}
