package main

import (
	"alexbench/internal/bounds"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"alexbench/harness"
	"alexbench/harness/claim"
	"alexbench/harness/config"
	"alexbench/harness/matrix"
	"alexbench/internal/switches"
	"alexbench/nvml"
)

// maxJobs bounds --jobs: cells at once in one process.
const maxJobs = 256

func init() {
	register("run", "run experiment matrices into a results tree, resumably (--dry-run lists the cells)", cmdRun)
}

// logw receives progress lines (stderr; tests replace it).
var logw io.Writer = os.Stderr

func logf(format string, args ...any) { fmt.Fprintf(logw, format, args...) }

const defaultResults = "results"

func cmdRun(args []string) error { return runRun(args, os.Stdout) }

func runRun(args []string, stdout io.Writer) error {
	fs := newFlagSet("run")
	resultsDir := fs.String("results", defaultResults, "results tree: cells go to DIR/<matrix>/<key>/")
	profile := fs.String("profile", matrix.ProfileAuto, "quick (a smoke test), cpu (sized to decide on a CPU), full (d2l scale), or auto: full when a GPU backend resolves, else cpu")
	dryRun := fs.Bool("dry-run", false, "list the cells with their keys and what a run would do; run nothing")
	shardFlag := fs.String("shard", "", "run only share i of n (1 ≤ i ≤ n) of the cells, balanced by estimated cost (give every shard the same matrices): for clusters without a shared filesystem; see docs/CLUSTER.md")
	retry := fs.Bool("retry-failed", false, "rerun cells that failed or ran out of memory (their old results are kept in .replaced)")
	force := fs.Bool("force", false, "rerun every cell, finished or not (old results are kept in .replaced)")
	backendFlag := fs.String("backend", "", "run every cell on this backend (auto, go, xla:cuda, xla:cpu, xla:/abs/plugin.so) instead of its config's")
	noWait := fs.Bool("no-wait", false, "when the cells left are all being run by other runners on this tree, exit instead of waiting to take over any whose runner dies")
	claimTimeout := fs.Duration("claim-timeout", claim.DefaultTimeout, "a cell claim whose heartbeat is older than this is stale and taken over (runners on other hosts; on this host a dead PID is seen at once)")
	jobs := fs.Int("jobs", 1, "train up to N cells at once in this process (goroutines sharing the backend); on a GPU only while their memory models × --mem-factor + --mem-margin-mib fit in the card's memory; a cell that runs out of memory beside others is rerun alone, never recorded oom for it")
	memFactor := fs.Float64("mem-factor", harness.DefaultMemoryFactor, "with --jobs on a GPU: a cell counts as its analytic memory model times this")
	memMargin := fs.Float64("mem-margin-mib", harness.DefaultMarginMiB, "with --jobs on a GPU: MiB added per cell (CUDA context, library workspaces, autotuning scratch)")
	autotuneCache := fs.String("autotune-cache", "", "XLA CUDA's persistent autotune cache, shared by every cell and run (default DIR/"+autotuneCacheName+" of --results; \"off\": none); each summary records whether it was warm")
	dataDir := fs.String("data", "", "Fashion-MNIST folder (default: $"+switches.DataDirVar+", ./data/fashion-mnist, Debian's)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: alexbench run MATRIX.toml... [flags]\n\n"+
			"Expands each matrix into cells and trains the ones not finished yet. A rerun\n"+
			"skips finished cells, redoes cells a killed run left unfinished and, with\n"+
			"--retry-failed, failed ones. Matrices are checked whole before anything runs.\n\n"+
			"Any number of runs may share one results tree, on one machine or many over a\n"+
			"shared filesystem: each claims a cell before running it (longest estimated\n"+
			"first), so no cell runs twice and none finished is replaced. SIGINT or SIGTERM\n"+
			"stops a run within seconds, the cell in flight marked interrupted.\n\n")
		fs.PrintDefaults()
	}
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return errors.New("give at least one matrix file (experiments/*.toml)")
	}
	shard, err := matrix.ParseShard(*shardFlag)
	if err != nil {
		return err
	}
	if *claimTimeout <= 0 {
		return fmt.Errorf("--claim-timeout %s: want a positive duration, like 2m", *claimTimeout)
	}
	if *backendFlag != "" {
		if err := config.ValidBackend(*backendFlag); err != nil {
			return fmt.Errorf("--backend: %w", err)
		}
	}
	// More jobs than this never fit one machine's cores or memory (each is
	// a cell's whole training state), and a runaway count must not
	// allocate a sampler per job before saying so.
	if err := bounds.Int("--jobs", int64(*jobs), 1, maxJobs); err != nil {
		return err
	}
	if err := bounds.Float("--mem-factor", *memFactor, 0, 1000); err != nil {
		return err
	}
	if err := bounds.Float("--mem-margin-mib", *memMargin, 0, 1<<30); err != nil {
		return err
	}
	ms, err := matrix.LoadAll(files)
	if err != nil {
		return err
	}
	prof, err := matrix.ResolveProfile(*profile, harness.GPUAvailable)
	if err != nil {
		return fmt.Errorf("--profile: %w", err)
	}
	if *profile == matrix.ProfileAuto {
		logf("profile auto → %s\n", prof)
	}
	r := &harness.Runner{Results: *resultsDir, Profile: prof, RetryFailed: *retry, Force: *force,
		Shard: shard, Backend: *backendFlag, Log: logw, NoWait: *noWait, Claim: claim.Options{Timeout: *claimTimeout}}
	if *dryRun {
		plan, err := r.Plan(ms)
		if err != nil {
			return err
		}
		return harness.WritePlan(stdout, plan)
	}
	tr := &harness.BackendTrainer{DataDir: *dataDir, Log: logw, AutotuneCacheDir: autotuneCacheDir(*autotuneCache, *resultsDir)}
	if f, ok := logw.(*os.File); ok && isTerminal(f) && *jobs == 1 {
		// On a terminal each cell draws its epochs' bars between the log's
		// lines; in a log file the per-cell lines are enough.
		tr.Progress = logw
	}
	r.Trainer = tr // also the Estimator: a CPU cell logs and records its estimate
	r.Jobs = *jobs
	if err := setPacking(r, *memFactor, *memMargin); err != nil {
		return err
	}
	if r.Jobs == 1 {
		s := harness.NewSampler()
		defer s.Close()
		r.Sampler = s
	} else {
		var samplers []*nvml.Sampler
		defer func() {
			for _, s := range samplers {
				s.Close()
			}
		}()
		r.NewSampler = func() harness.Sampler {
			s := harness.NewSampler()
			samplers = append(samplers, s)
			return s
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := r.Run(ctx, ms)
	if rep != nil {
		fmt.Fprintf(stdout, "%s: ran %d cells (%s), skipped %d%s\n", *resultsDir, rep.Ran, outcomeCounts(rep.Outcomes), rep.Skipped, othersText(rep))
	}
	if err != nil && ctx.Err() != nil {
		// 128 + the signal's number, as a shell reports a process it killed.
		code := 130
		if strings.Contains(context.Cause(ctx).Error(), syscall.SIGTERM.String()) {
			code = 143
		}
		return &exitError{code, fmt.Errorf("interrupted (%v): the unfinished cell will be rerun by the next run", context.Cause(ctx))}
	}
	return err
}

// othersText is ", 3 finished by other runners, 1 taken over" when any were.
func othersText(rep *harness.RunReport) string {
	s := ""
	if rep.Others > 0 {
		s += fmt.Sprintf(", %d finished by other runners", rep.Others)
	}
	if rep.Shared > 0 {
		s += fmt.Sprintf(", %d shared with other matrices (the same cell, trained once)", rep.Shared)
	}
	if rep.Lost > 0 {
		s += fmt.Sprintf(", %d taken over by another runner (not published)", rep.Lost)
	}
	return s
}

func outcomeCounts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", m[k], k)
	}
	return strings.Join(parts, ", ")
}

// setPacking sets --jobs' admission: on a GPU the card's memory (NVML), so
// packed cells stay within it; on a CPU none (cells share host memory, and
// --jobs alone bounds them).
func setPacking(r *harness.Runner, factor, margin float64) error {
	if r.Jobs == 1 {
		return nil
	}
	if factor <= 0 || margin < 0 {
		return fmt.Errorf("--mem-factor %g, --mem-margin-mib %g: want a positive factor and a margin ≥ 0", factor, margin)
	}
	r.Admission = harness.Admission{Factor: factor, MarginMiB: margin}
	if !harness.GPUAvailable() || r.Backend == "go" {
		return nil
	}
	total, err := nvml.DeviceMemoryMiB(nil, 0)
	if err != nil {
		return fmt.Errorf("--jobs %d on a GPU needs the card's memory to pack cells into: %w (run with --jobs 1)", r.Jobs, err)
	}
	r.Admission.CapacityMiB = total
	return nil
}

// autotuneCacheName is the autotune cache's folder in a results tree (a dot
// name: no matrix, never scanned as one).
const autotuneCacheName = ".xla-autotune"

// autotuneCacheDir is --autotune-cache as a directory ("" for off).
func autotuneCacheDir(flag, results string) string {
	switch flag {
	case "off":
		return ""
	case "":
		return filepath.Join(results, autotuneCacheName)
	}
	return flag
}
