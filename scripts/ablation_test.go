// Package scripts holds the tests of the device scripts, run by make test
// with stand-ins for the GPU programs.
package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// stubAlexbench stands in for bin/alexbench: `run` trains STUB_CELLS cells
// (one for the E3 tree) of STUB_CELL_S seconds each, skipping finished ones,
// and on SIGTERM marks the cell in flight interrupted and exits 143, as the
// real one does; `status` prints a line. Every run and cell start is logged.
const stubAlexbench = `#!/usr/bin/env bash
cmd=$1; shift
case $cmd in
status) echo "stub status"; exit 0 ;;
train) echo "train $* flags=${ALEXBENCH_XLA_FLAGS:-}" >>"$STUB_LOG"; echo '{}'; exit 0 ;;
run)
	results= jobs=
	while [ $# -gt 0 ]; do
		case $1 in --results) results=$2; shift ;; --jobs) jobs=$2; shift ;; esac
		shift
	done
	echo "run jobs=$jobs alloc=${ALEXBENCH_XLA_ALLOCATOR:-} results=$results" >>"$STUB_LOG"
	n=$STUB_CELLS
	case $results in *e3*) n=1 ;; esac
	cur= pid=
	# A TERM between two cells (on a loaded machine the bookkeeping there
	# takes a while) stops the next one as it starts: one cell is always in
	# flight, as with the real runner's claimed cell.
	next() { for j in $(seq 1 "$n"); do [ -e "$results/m/cell$j/summary.json" ] || { cur=$results/m/cell$j; mkdir -p "$cur"; return; }; done; }
	trap 'kill $pid 2>/dev/null; [ -n "$cur" ] || next; if [ -n "$cur" ]; then echo "{}" >"$cur/interrupted.json"; echo "TERM $cur" >>"$STUB_LOG"; fi; exit 143' TERM
	for i in $(seq 1 "$n"); do
		d=$results/m/cell$i
		[ -e "$d/summary.json" ] && continue
		mkdir -p "$d"; rm -f "$d/interrupted.json"; cur=$d
		echo "start $d" >>"$STUB_LOG"
		sleep "$STUB_CELL_S" & pid=$!
		wait $pid
		echo '{"outcome":"done"}' >"$d/summary.json"; cur=
	done
	exit 0 ;;
esac
exit 1
`

type ablationCall struct {
	out, log string
	rc       int
}

func runAblation(t *testing.T, work string, env ...string) ablationCall {
	t.Helper()
	out := t.TempDir()
	cmd := exec.Command("bash", filepath.Join(mustAbs(t, "."), "gpu-ablation.sh"))
	cmd.Dir = work
	cmd.Env = append(os.Environ(), append([]string{"OUT=" + out}, env...)...)
	b, err := cmd.CombinedOutput()
	rc := 0
	if ee, ok := err.(*exec.ExitError); ok {
		rc = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return ablationCall{out: out, log: string(b), rc: rc}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A call whose budget ends mid-sweep stops the run with SIGTERM (the cell in
// flight marked interrupted), still writes the state out, and says partial;
// the next call, from that state unpacked, skips torch and the E3 run done
// before, redoes only the interrupted cell and unfinished ones, and says
// complete. Without the binary nothing runs (nothing is built on the device).
func TestGPUAblationBudgetGuardAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the device script with a stand-in alexbench for ~20 s")
	}
	work := t.TempDir()
	bin := filepath.Join(work, "bin", "alexbench")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if c := runAblation(t, work); c.rc != 2 || !strings.Contains(c.log, "nothing is built on the device") {
		t.Fatalf("without a binary: exit %d\n%s", c.rc, c.log)
	}
	if err := os.WriteFile(bin, []byte(stubAlexbench), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(work, "experiments"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"a.toml", "b.toml"} {
		os.WriteFile(filepath.Join(work, "experiments", m), nil, 0o644)
	}
	stubLog := filepath.Join(work, "stub.log")
	torchCount := filepath.Join(work, "torch.count")
	const cells = 10
	env := []string{"STUB_LOG=" + stubLog, "STUB_CELLS=10", "STUB_CELL_S=1.5",
		"ABLATION_TORCH=echo x >>" + torchCount + "; echo '{\"mode\":\"compile\"}'",
		"ABLATION_TORCH_MIN_S=1", "ABLATION_E3_MIN_S=1", "ABLATION_BENCH_MIN_S=1", "ABLATION_RUN_MIN_S=1", "ABLATION_RESERVE_S=2"}

	// Call 1: 14 s of budget, 2 s of it reserved: the sweep (15 s of cells)
	// cannot finish, however long the steps before it take on a loaded CI
	// (at 7 s and 0.5 s cells, the steps alone used the budget up there).
	c1 := runAblation(t, work, append(env, "ABLATION_BUDGET_S=14")...)
	if c1.rc != 0 || strings.TrimSpace(read(t, filepath.Join(c1.out, "state.txt"))) != "partial" {
		t.Fatalf("call 1: exit %d, state %q\n%s", c1.rc, read(t, filepath.Join(c1.out, "state.txt")), c1.log)
	}
	log1 := read(t, stubLog)
	if !strings.Contains(log1, "run jobs=4 alloc= results=.devdata/ablation/results") ||
		!strings.Contains(log1, "run jobs=1 alloc=platform results=.devdata/ablation/e3-platform") {
		t.Fatalf("call 1 runs:\n%s\n%s", log1, c1.log)
	}
	if !strings.Contains(log1, "TERM .devdata/ablation/results/") || !strings.Contains(c1.log, "run: exit 124") {
		t.Fatalf("call 1: the sweep was not stopped by SIGTERM at the budget:\n%s\n%s", log1, c1.log)
	}
	if !strings.Contains(log1, "--conv1 space_to_depth --json flags=--xla_gpu_autotune_level=1") || strings.Count(log1, "train ") != 4 {
		t.Fatalf("call 1 benches:\n%s", log1)
	}
	interrupted, _ := filepath.Glob(filepath.Join(work, ".devdata/ablation/results/m/*/interrupted.json"))
	if len(interrupted) != 1 {
		t.Fatalf("%d cells marked interrupted after call 1, want the 1 in flight", len(interrupted))
	}
	if read(t, torchCount) != "x\n" {
		t.Fatalf("torch ran %q times", read(t, torchCount))
	}

	// The next session unpacks $OUT/ablation.tgz as the state and calls again.
	if err := os.RemoveAll(filepath.Join(work, ".devdata")); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(work, ".devdata", "ablation")
	os.MkdirAll(state, 0o755)
	if b, err := exec.Command("tar", "xzf", filepath.Join(c1.out, "ablation.tgz"), "-C", state).CombinedOutput(); err != nil {
		t.Fatalf("unpacking: %v %s", err, b)
	}
	os.WriteFile(stubLog, nil, 0o644)
	c2 := runAblation(t, work, append(env, "ABLATION_BUDGET_S=120")...)
	if c2.rc != 0 || strings.TrimSpace(read(t, filepath.Join(c2.out, "state.txt"))) != "complete" {
		t.Fatalf("call 2: exit %d, state %q\n%s", c2.rc, read(t, filepath.Join(c2.out, "state.txt")), c2.log)
	}
	log2 := read(t, stubLog)
	if read(t, torchCount) != "x\n" || strings.Contains(log2, "alloc=platform") || strings.Contains(c2.log, "bench-default: ALEXBENCH") {
		t.Fatalf("call 2 redid torch or the E3 run:\n%s", log2)
	}
	done, _ := filepath.Glob(filepath.Join(state, "results/m/*/summary.json"))
	if len(done) != cells {
		t.Fatalf("%d cells finished after call 2, want %d", len(done), cells)
	}
	restarted := strings.Count(log2, "start ")
	first := strings.Count(log1, "start .devdata/ablation/results/")
	if restarted+first != cells+1 || !strings.Contains(log2, "start "+filepath.Join(".devdata/ablation/results/m", filepath.Base(filepath.Dir(interrupted[0])))) {
		t.Fatalf("call 1 started %d cells, call 2 %d: want %d in all, the interrupted one again\n%s", first, restarted, cells+1, log2)
	}
}
