package slurm_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"alexbench/deploy/slurm/slurmtest"
	"alexbench/harness/claim"
	"alexbench/harness/matrix"
	"alexbench/harness/results"
)

// testClaimSweep runs a real sweep on the cluster: the real alexbench,
// built here, trains testdata/slurm-lenet.toml's eight LeNet cells on
// Fashion-MNIST as submit.sh's claim-mode array of four workers on one tree,
// then the afterany job renders the report. Every cell is done exactly once
// (one runner started it, one published it), no claim ever had two holders,
// nothing was replaced, and the report renders.
func testClaimSweep(t *testing.T, c *slurmtest.Cluster) {
	dataDir := fashionMNIST(t)
	work := t.TempDir()
	bin := filepath.Join(work, "alexbench")
	t0 := time.Now()
	build := exec.Command("go", "build", "-o", bin, "alexbench/cmd/alexbench")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building alexbench: %v\n%s", err, out)
	}
	t.Logf("built alexbench in %s", time.Since(t0).Round(time.Millisecond))
	mfile, _ := filepath.Abs("testdata/slurm-lenet.toml")
	m, err := matrix.Load(mfile)
	if err != nil {
		t.Fatal(err)
	}
	cells := m.Cells(matrix.ProfileQuick)
	deploy, _ := filepath.Abs(".")
	tree := filepath.Join(work, "results")
	env := []string{"ALEXBENCH=" + bin, "ALEXBENCH_RESULTS=" + tree, "ALEXBENCH_MATRICES=" + mfile,
		"ALEXBENCH_PROFILE=quick", "ALEXBENCH_SLURM_GRES=", "ALEXBENCH_DATA=" + dataDir}
	if js, err := filepath.Abs("../../node_modules/echarts/dist/echarts.min.js"); err == nil {
		if _, err := os.Stat(js); err == nil {
			env = append(env, "ALEXBENCH_ECHARTS="+js)
		}
	}
	t0 = time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := c.Command(ctx, filepath.Join(deploy, "submit.sh"), "-n", "4")
	cmd.Dir = work
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("submit.sh: %v", err)
	}
	ids := regexp.MustCompile(`(?m)^ARRAY_JOB=(\d+)\nREPORT_JOB=(\d+)$`).FindStringSubmatch(string(out))
	if ids == nil {
		t.Fatalf("submit.sh printed %q", out)
	}
	states, err := c.Wait(5*time.Minute, ids[1], ids[2])
	took := time.Since(t0)
	logs, _ := filepath.Glob(filepath.Join(work, "slurm-logs", "*.out"))
	var all strings.Builder
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		all.WriteString("== " + filepath.Base(l) + "\n" + string(b))
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, all.String())
	}
	t.Logf("claim-mode sweep of %d real LeNet cells, 4 workers + report: %s", len(cells), took.Round(time.Millisecond))
	want := map[string]string{ids[2]: "COMPLETED"}
	for i := 1; i <= 4; i++ {
		want[ids[1]+"_"+strconv.Itoa(i)] = "COMPLETED"
	}
	assertStates(t, states, want)

	// Done exactly once: one "→ done" line per cell over all workers, and
	// the workers' counts add up to the cells.
	finished := map[string]int{}
	for _, mm := range regexp.MustCompile(`\] slurm-lenet ([0-9a-f]{16}) → done`).FindAllStringSubmatch(all.String(), -1) {
		finished[mm[1]]++
	}
	ran := 0
	var split []string
	for _, mm := range regexp.MustCompile(`(?m): ran (\d+) cells`).FindAllStringSubmatch(all.String(), -1) {
		n, _ := strconv.Atoi(mm[1])
		ran += n
		split = append(split, mm[1])
	}
	t.Logf("cells per worker: %s", strings.Join(split, " + "))
	if ran != len(cells) {
		t.Errorf("the workers ran %d cells in all, want %d", ran, len(cells))
	}
	workers := 0
	for _, l := range logs {
		if b, _ := os.ReadFile(l); strings.Contains(string(b), ": ran ") {
			workers++
		}
	}
	for _, cell := range cells {
		if finished[cell.Key] != 1 {
			t.Errorf("%s finished %d times in the workers' logs, want once", cell.Key, finished[cell.Key])
		}
		s, err := results.ReadSummary(results.CellDir(tree, m.Name, cell.Key))
		if err != nil || s.Outcome != "done" {
			t.Errorf("%s: %v", cell.Key, err)
		}
		// No double holders: one holder renewed the claim (ran the cell),
		// nobody took it over, and it was released.
		h, err := claim.History(results.ClaimDir(tree, cell.Key))
		if err != nil || len(h) == 0 {
			t.Errorf("%s: claim history %v", cell.Key, err)
			continue
		}
		runners := map[string]bool{}
		for _, r := range h {
			if r.Renews != 0 {
				runners[r.Token] = true
			}
			if r.TookOver != nil {
				t.Errorf("%s: claim taken over: %+v", cell.Key, r.TookOver)
			}
		}
		if len(runners) != 1 || h[len(h)-1].Released == nil {
			t.Errorf("%s: %d holders ran it (want 1), last generation %+v", cell.Key, len(runners), h[len(h)-1])
		}
	}
	if workers != 4 {
		t.Errorf("%d workers reported, want 4", workers)
	}
	if moved, _ := filepath.Glob(filepath.Join(tree, m.Name, results.ReplacedDir, "*")); len(moved) > 0 {
		t.Errorf("results were replaced: %v", moved)
	}
	html, err := os.ReadFile(filepath.Join(tree, "report.html"))
	if err != nil || !strings.Contains(string(html), "</html>") || !strings.Contains(string(html), "slurm-lenet") {
		t.Errorf("report: %d bytes, %v\n%s", len(html), err, all.String())
	}
	if t.Failed() {
		t.Log(all.String())
	}
}

// fashionMNIST finds the real dataset as CI and this machine have it.
func fashionMNIST(t *testing.T) string {
	for _, dir := range []string{os.Getenv("ALEXBENCH_DATA"), "/work/shared/data/fashion-mnist", "/usr/share/datasets/fashion-mnist", "../../data/fashion-mnist"} {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "train-images-idx3-ubyte.gz")); err == nil {
			abs, _ := filepath.Abs(dir)
			return abs
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Fashion-MNIST not found (make data installs it)")
	}
	t.Skip("Fashion-MNIST not found (set ALEXBENCH_DATA)")
	return ""
}
