package main

import (
	"alexbench/harness/results"
	"alexbench/internal/bounds"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"alexbench/harness/backend"
	"alexbench/harness/profile"
)

func init() {
	register("profile", "E4: per-layer memory, FLOPs, bytes and measured times of a model, with the device's ceilings", cmdProfile)
}

// The largest batch and input side profile takes: train's own bounds
// (config's batch_size and resize), beyond which a model's activations do
// not fit in any machine's memory.
const (
	maxProfileBatch  = 65536
	maxProfileResize = 512
)

// parseBatches reads --batches: a comma-separated list of positive integers.
func parseBatches(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		b, err := strconv.Atoi(f)
		if err != nil || b < 1 {
			return nil, fmt.Errorf("--batches: %q is not a positive integer (want e.g. 1,32,128,512)", f)
		}
		if err := bounds.Int("--batches", int64(b), 1, maxProfileBatch); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func cmdProfile(args []string) error { return runProfile(args, os.Stdout, os.Stderr) }

// runProfile is `alexbench profile`: the table (or JSON) goes to stdout,
// progress to stderr.
func runProfile(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("profile")
	fs.SetOutput(stderr)
	batch := fs.Int("batch", 0, "batch size (default: 1,32,128,512 on a GPU, 1,8 on a CPU)")
	batchList := fs.String("batches", "", "several batch sizes, comma-separated: one file each")
	resize := fs.Int("resize", 0, "input side in pixels (default: the model's, 224 for alexnet)")
	backendSpec := fs.String("backend", "auto", "auto, go, xla:cuda, xla:cpu or xla:/path/to/plugin.so")
	asJSON := fs.Bool("json", false, "print the profile JSON (an array for several batch sizes) instead of the table")
	outDir := fs.String("o", "results/profile", "folder for <model>-b<batch>.json (\"\" writes nothing)")
	runs := fs.Int("runs", 20, "timed runs per graph (the median is kept)")
	warmup := fs.Int("warmup", 2, "untimed runs per graph after the compiling one")
	budget := fs.Duration("budget", -1, "time per graph after which warm-up and timing stop early (never under 3 timed runs); 0: always --warmup and --runs (default: 0 on a GPU, 0.5s on a CPU)")
	matmulN := fs.Int("matmul-n", 0, "side of the ceiling matmul (default: 8192 on a GPU, 1024 on a CPU)")
	copyMiB := fs.Int("copy-mib", 0, "MiB copied for the bandwidth ceiling (default: 1024 on a GPU, 64 on a CPU)")
	computeOnly := fs.Bool("compute-only", false, "computed columns only: compile and time nothing")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("want one model name (e.g. `alexbench profile alexnet --batch 128`), got %d arguments", len(pos))
	}
	model := pos[0]
	if *batch != 0 && *batchList != "" {
		return fmt.Errorf("give --batch or --batches, not both")
	}
	if *budget < 0 && *budget != -1 {
		return fmt.Errorf("--budget %v: must be ≥ 0", *budget)
	}
	// Sizes are bounded by what a machine can hold: a batch, an input side
	// or a ceiling matmul beyond these would not fit in memory (and would
	// die allocating it), and more runs than these never end in practice.
	for _, c := range []struct {
		flag      string
		v, lo, hi int
	}{
		{"--runs", *runs, 1, 100000},
		{"--warmup", *warmup, 0, 100000},
		{"--batch", *batch, 0, maxProfileBatch},
		{"--resize", *resize, 0, maxProfileResize},
		{"--matmul-n", *matmulN, 0, 32768},
		{"--copy-mib", *copyMiB, 0, 65536},
	} {
		if err := bounds.Int(c.flag, int64(c.v), int64(c.lo), int64(c.hi)); err != nil {
			return err
		}
	}
	// Fail on a bad model or size before opening a backend.
	if _, err := profile.BuildModel(model, *resize); err != nil {
		return err
	}

	var be backendHandle
	opts := profile.Options{Model: model, Resize: *resize, Measure: !*computeOnly,
		Timing: profile.Timing{Warmup: *warmup, Runs: *runs, Budget: max(*budget, 0)}, Progress: stderr}
	v := results.CurrentVersions()
	opts.GoMLX, opts.Alexbench = v.GoMLX, v.Alexbench
	if opts.Measure {
		b, info, err := backend.Open(*backendSpec)
		if err != nil {
			return err
		}
		defer b.Finalize()
		be.gpu = info.IsGPU
		if *budget == -1 && !info.IsGPU {
			// SimpleGo runs AlexNet's conv2 forward + backward in seconds:
			// 20 runs of every graph would take ten minutes on two cores.
			opts.Timing.Budget = 500 * time.Millisecond
		}
		opts.Backend, opts.Info = b, info
		fmt.Fprintln(stderr, info.String())
	} else {
		opts.Info = backend.Info{Name: "none (computed only)", Device: "none"}
	}

	batches := []int{*batch}
	switch {
	case *batchList != "":
		if batches, err = parseBatches(*batchList); err != nil {
			return err
		}
	case *batch == 0 && be.gpu:
		batches = []int{1, 32, 128, 512}
	case *batch == 0:
		batches = []int{1, 8}
	}

	var ceil profile.Ceilings
	if opts.Measure {
		sizes := profile.DefaultCeilingSizes(be.gpu)
		if *matmulN > 0 {
			sizes.MatmulN = *matmulN
		}
		if *copyMiB > 0 {
			sizes.CopyElem = int64(*copyMiB) << 20 / profile.BytesPerElem
		}
		t0 := time.Now()
		ceil, err = profile.MeasureCeilings(opts.Backend, sizes, opts.Timing)
		if err != nil {
			return fmt.Errorf("measuring the device's ceilings: %w", err)
		}
		fmt.Fprintf(stderr, "ceilings: %.3g GFLOP/s (matmul %d²), %.3g GB/s (copy), ridge %.1f FLOP/byte [%.1f s]\n",
			ceil.PeakFLOPs/1e9, ceil.MatmulN, ceil.PeakBytesPerS/1e9, ceil.Ridge(), time.Since(t0).Seconds())
	}

	var files []*profile.File
	for _, b := range batches {
		opts.Batch = b
		fmt.Fprintf(stderr, "profiling %s at batch %d\n", model, b)
		f, err := profile.Run(opts, ceil)
		if err != nil {
			return err
		}
		if *outDir != "" {
			path, err := profile.Write(*outDir, f)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "wrote %s (%.1f s)\n", path, f.WallS)
		}
		if !*asJSON {
			if err := profile.PrintTable(stdout, f); err != nil {
				return err
			}
		}
		files = append(files, f)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if len(files) == 1 {
			return enc.Encode(files[0])
		}
		return enc.Encode(files)
	}
	return nil
}

// backendHandle remembers what the opened backend is, for the defaults that
// depend on it.
type backendHandle struct{ gpu bool }
