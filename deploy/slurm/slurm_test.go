package slurm_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"alexbench/deploy/slurm/slurmtest"
)

// TestSlurm runs on one real single-node Slurm cluster (started once; it is
// the slow part): a plain array with an afterany job, then submit.sh's two
// modes with a stand-in alexbench that records how it was called.
func TestSlurm(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no Slurm cluster")
	}
	t0 := time.Now()
	c := slurmtest.Start(t)
	t.Run("array and afterany", func(t *testing.T) { testArray(t, c) })
	t.Run("submit.sh", func(t *testing.T) { testSubmit(t, c) })
	t.Run("submit.sh edge cases", func(t *testing.T) { testSubmitEdges(t, c) })
	t.Run("claim-mode sweep", func(t *testing.T) { testClaimSweep(t, c) })
	t.Logf("Slurm test: %s in all (cluster start %s, install %s)",
		time.Since(t0).Round(time.Millisecond), c.Started.Round(time.Millisecond), c.Installed.Round(time.Millisecond))
}

// Four array tasks run side by side, each writing a file; the afterany job
// runs after all four and sees every file.
func testArray(t *testing.T, c *slurmtest.Cluster) {
	dir := t.TempDir()
	task := filepath.Join(dir, "task.sh")
	write(t, task, `#!/bin/sh
echo "$SLURM_ARRAY_TASK_ID $SLURM_ARRAY_TASK_COUNT $(date +%s.%N)" > out/task-$SLURM_ARRAY_TASK_ID.start
sleep 1
date +%s.%N > out/task-$SLURM_ARRAY_TASK_ID.end
`)
	after := filepath.Join(dir, "after.sh")
	write(t, after, "#!/bin/sh\nls out > listing\n")
	os.Mkdir(filepath.Join(dir, "out"), 0o755)
	t0 := time.Now()
	arr, err := c.Sbatch("--array=1-4", "--chdir="+dir, "--output="+dir+"/slurm-%A_%a.out", task)
	if err != nil {
		t.Fatal(err)
	}
	dep, err := c.Sbatch("--dependency=afterany:"+arr, "--chdir="+dir, "--output="+dir+"/after.out", after)
	if err != nil {
		t.Fatal(err)
	}
	states, err := c.Wait(60*time.Second, arr, dep)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("array of 4 + afterany job: %s", time.Since(t0).Round(time.Millisecond))
	want := map[string]string{dep: "COMPLETED"}
	for i := 1; i <= 4; i++ {
		want[fmt.Sprintf("%s_%d", arr, i)] = "COMPLETED"
	}
	assertStates(t, states, want)
	var starts, ends []float64
	for i := 1; i <= 4; i++ {
		f := strings.Fields(read(t, filepath.Join(dir, "out", fmt.Sprintf("task-%d.start", i))))
		if len(f) != 3 || f[0] != strconv.Itoa(i) || f[1] != "4" {
			t.Errorf("task %d wrote %q, want its ID and the count 4", i, f)
			continue
		}
		starts = append(starts, num(t, f[2]))
		ends = append(ends, num(t, read(t, filepath.Join(dir, "out", fmt.Sprintf("task-%d.end", i)))))
	}
	sort.Float64s(starts)
	sort.Float64s(ends)
	if len(starts) == 4 && starts[3] >= ends[0] {
		t.Errorf("tasks did not run side by side: last start %.2f after first end %.2f", starts[3], ends[0])
	}
	listing := read(t, filepath.Join(dir, "listing"))
	for i := 1; i <= 4; i++ {
		if !strings.Contains(listing, fmt.Sprintf("task-%d.end", i)) {
			t.Errorf("the afterany job ran before task %d ended: %q", i, listing)
		}
	}
}

// stub stands in for alexbench: it logs "<job> <task> <args>" and fails a
// run whose --shard is $STUB_FAIL_SHARD/….
const stub = `#!/bin/sh
echo "${SLURM_ARRAY_JOB_ID:-$SLURM_JOB_ID} ${SLURM_ARRAY_TASK_ID:--} $*" >> "$STUB_LOG"
case " $* " in
  *" --shard $STUB_FAIL_SHARD/"*) exit 1 ;;
  " report "*) touch "$STUB_REPORT" ;;
esac
`

func testSubmit(t *testing.T, c *slurmtest.Cluster) {
	deploy, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		args      []string
		failShard string
		// want: the calls, with R for the results tree, J the array job, K the report job
		want      []string
		wantState string // the report/merge job's
	}{
		{"claim mode", nil, "", []string{
			"J 1 run a.toml b.toml --results R --profile quick --retry-failed",
			"J 2 run a.toml b.toml --results R --profile quick --retry-failed",
			"J 3 run a.toml b.toml --results R --profile quick --retry-failed",
			"K - status --results R",
			"K - report --results R -o R/report.html",
		}, "COMPLETED"},
		{"shard mode", []string{"--shard-mode"}, "", []string{
			"J 1 run a.toml b.toml --shard 1/3 --results R.shards/shard-1 --profile quick --retry-failed",
			"J 2 run a.toml b.toml --shard 2/3 --results R.shards/shard-2 --profile quick --retry-failed",
			"J 3 run a.toml b.toml --shard 3/3 --results R.shards/shard-3 --profile quick --retry-failed",
			"K - merge R.shards/shard-1 R.shards/shard-2 R.shards/shard-3 --into R",
			"K - status --results R",
			"K - report --results R -o R/report.html",
		}, "COMPLETED"},
		// afterok: a failed shard means no merge and no report.
		{"shard mode, a shard fails", []string{"--shard-mode"}, "2", []string{
			"J 1 run a.toml b.toml --shard 1/3 --results R.shards/shard-1 --profile quick --retry-failed",
			"J 2 run a.toml b.toml --shard 2/3 --results R.shards/shard-2 --profile quick --retry-failed",
			"J 3 run a.toml b.toml --shard 3/3 --results R.shards/shard-3 --profile quick --retry-failed",
		}, "CANCELLED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir()
			bin := filepath.Join(work, "alexbench-stub")
			write(t, bin, stub)
			results := filepath.Join(work, "R")
			// The shard trees merge.sbatch looks for (the stub writes none).
			for i := 1; i <= 3; i++ {
				os.MkdirAll(filepath.Join(results+".shards", fmt.Sprintf("shard-%d", i)), 0o755)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := c.Command(ctx, filepath.Join(deploy, "submit.sh"), append([]string{"-n", "3"}, tc.args...)...)
			cmd.Dir = work
			cmd.Env = append(cmd.Env,
				"ALEXBENCH="+bin, "ALEXBENCH_RESULTS="+results, "ALEXBENCH_MATRICES=a.toml b.toml",
				"ALEXBENCH_PROFILE=quick", "ALEXBENCH_RUN_ARGS=--retry-failed",
				"ALEXBENCH_SLURM_GRES=", // the test cluster has no GPUs
				"STUB_LOG="+filepath.Join(work, "calls"), "STUB_FAIL_SHARD="+tc.failShard,
				"STUB_REPORT="+filepath.Join(work, "report-rendered"))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("submit.sh: %v: %s", err, stderr.String())
			}
			ids := regexp.MustCompile(`(?m)^ARRAY_JOB=(\d+)\nREPORT_JOB=(\d+)$`).FindStringSubmatch(string(out))
			if ids == nil {
				t.Fatalf("submit.sh printed %q, want ARRAY_JOB=… and REPORT_JOB=…", out)
			}
			t0 := time.Now()
			states, err := c.Wait(60*time.Second, ids[1], ids[2])
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %s", tc.name, time.Since(t0).Round(time.Millisecond))
			if states[ids[2]] != tc.wantState {
				t.Errorf("job after the array: %s, want %s (all: %v)", states[ids[2]], tc.wantState, states)
			}
			calls := strings.Split(strings.TrimSpace(read(t, filepath.Join(work, "calls"))), "\n")
			for i, call := range calls {
				job, rest, _ := strings.Cut(strings.ReplaceAll(call, results, "R"), " ")
				calls[i] = map[string]string{ids[1]: "J", ids[2]: "K"}[job] + " " + rest
			}
			sort.Strings(calls)
			want := append([]string(nil), tc.want...)
			sort.Strings(want)
			if strings.Join(calls, "\n") != strings.Join(want, "\n") {
				t.Errorf("alexbench was called\n%s\nwant\n%s", strings.Join(calls, "\n"), strings.Join(want, "\n"))
			}
			_, err = os.Stat(filepath.Join(work, "report-rendered"))
			if rendered := err == nil; rendered != (tc.wantState == "COMPLETED") {
				t.Errorf("report rendered: %v", rendered)
			}
			logs, _ := filepath.Glob(filepath.Join(work, "slurm-logs", "*.out"))
			if len(logs) < 3 {
				t.Errorf("job logs in slurm-logs/: %v", logs)
			}
		})
	}
}

func assertStates(t *testing.T, got, want map[string]string) {
	t.Helper()
	for id, st := range want {
		if got[id] != st {
			t.Errorf("job %s: %q, want %s (all: %v)", id, got[id], st, got)
		}
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
