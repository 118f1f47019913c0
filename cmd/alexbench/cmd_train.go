package main

import (
	"alexbench/internal/bounds"
	stdctx "context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"strings"

	"alexbench/data"
	"alexbench/harness"
	"alexbench/harness/backend"
	"alexbench/harness/config"
	"alexbench/harness/diagnose"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
	"alexbench/internal/numfmt"
	"alexbench/nvml"
)

func init() {
	register("train", "train one model (exactly one cell of a matrix) and print d2l's final line", cmdTrain)
}

// flagAliases are the short spellings the issue and d2l users type; every
// config key is also accepted as --key-with-dashes.
var flagAliases = map[string]string{"batch": "batch_size"}

// configFlags defines one flag per config key, so the CLI and the TOML
// matrices resolve to the same Config through config.Set (resolveConfig reads
// the flags back with FlagSet.Visit). Boolean keys (--normalize, --batchnorm)
// may be given bare, like any Go bool flag. It returns --model's value, which
// picks the defaults everything else overrides.
func configFlags(fs *flag.FlagSet) (model *string) {
	var zero config.Config
	for _, key := range config.Keys() {
		v, _ := zero.Get(key)
		_, isBool := v.(bool)
		f := &configFlag{isBool: isBool}
		fs.Var(f, strings.ReplaceAll(key, "_", "-"), config.Help(key).What)
		if key == "model" {
			model = &f.value
		}
	}
	for alias, key := range flagAliases {
		fs.Var(&configFlag{}, alias, "same as --"+strings.ReplaceAll(key, "_", "-"))
	}
	return model
}

// configFlag holds a flag's text until resolveConfig hands it to config.Set.
type configFlag struct {
	value  string
	isBool bool
}

func (f *configFlag) String() string     { return f.value }
func (f *configFlag) Set(s string) error { f.value = s; return nil }
func (f *configFlag) IsBoolFlag() bool   { return f.isBool }

// resolveConfig starts from the model's defaults and applies the flags the
// user actually set, naming the flag in any error.
func resolveConfig(fs *flag.FlagSet, model *string) (config.Config, error) {
	name := "lenet"
	if *model != "" {
		name = *model
	}
	cfg, err := config.Default(name)
	if err != nil {
		return cfg, fmt.Errorf("--model: %w", err)
	}
	var setErr error
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) {
		key := strings.ReplaceAll(f.Name, "-", "_")
		if k, ok := flagAliases[f.Name]; ok {
			key = k
		}
		if !config.IsKey(key) || key == "model" || setErr != nil {
			return
		}
		if err := cfg.Set(key, f.Value.String()); err != nil {
			setErr = fmt.Errorf("--%s: %w", f.Name, err)
		}
		set[key] = true
	})
	if setErr != nil {
		return cfg, setErr
	}
	// As in a matrix cell: LeNet's lr follows --activation unless --lr is given.
	cfg.Derive(func(key string) bool { return set[key] })
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("flags: %w", err)
	}
	return cfg, nil
}

// maxBenchSteps bounds --bench-steps.
const maxBenchSteps = 1000000

func cmdTrain(args []string) error {
	fs := newFlagSet("train")
	model := configFlags(fs)
	dataDir := fs.String("data", "", "Fashion-MNIST folder (default: $ALEXBENCH_DATA, ./data/fashion-mnist, Debian's)")
	asJSON := fs.Bool("json", false, "print one JSON object (config, per-epoch metrics, outcome) instead of text")
	artifacts := fs.String("artifacts", "", "folder for conv1 filters / activation map PNGs")
	benchSteps := fs.Int("bench-steps", 0, "instead of training: time N ≥ 1 train steps on one repeated batch")
	yes := fs.Bool("yes", false, "run even when the estimate on a CPU exceeds an hour")
	fs.Usage = trainUsage(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if err := strayArgs(fs, args, pos); err != nil {
		return err
	}
	cfg, err := resolveConfig(fs, model)
	if err != nil {
		return withSuggestion(fs, err)
	}
	if *benchSteps < 0 {
		return fmt.Errorf("--bench-steps %d: want N ≥ 1 steps (or leave it out to train)", *benchSteps)
	}
	// A benchmark needs hundreds of steps; a million is hours of a GPU, and
	// more is a typo, not a plan (train asks for --yes beyond an hour).
	if err := bounds.Int("--bench-steps", int64(*benchSteps), 0, maxBenchSteps); err != nil {
		return err
	}
	if err := checkArtifactsDir(*artifacts); err != nil {
		return err
	}
	if *benchSteps == 0 {
		if err := confirmLongRun(cfg, *yes, os.Stderr); err != nil {
			return err
		}
	}
	// The first Ctrl-C stops the run at the next step (outcome failed,
	// "cancelled"); with the handler then removed, a second one kills.
	ctx, stop := signal.NotifyContext(stdctx.Background(), os.Interrupt)
	defer stop()
	go func() { <-ctx.Done(); stop() }()
	if *benchSteps > 0 {
		return benchTrain(cfg, *dataDir, *benchSteps)
	}
	t := &harness.Trainer{DataDir: *dataDir, Log: os.Stderr}
	if !*asJSON {
		// A bar on a terminal, plain per-epoch lines otherwise (trainer.Options.Progress).
		t.Progress = os.Stderr
	}
	// Exactly one cell, through the runner's own path: the same sampler
	// (NVML on a GPU, nvml.csv in --artifacts when given; peak RSS
	// otherwise), outcome classification and memory model as a matrix cell.
	sampler := harness.NewSampler()
	defer sampler.Close()
	cell, err := harness.TrainCell(ctx, harness.CellRun{Train: t.Train, Sampler: sampler}, cfg, *artifacts)
	if cell.Result == nil {
		if err == nil {
			err = errors.New(cell.Error)
		}
		return err
	}
	return printTrain(cfg, cell, *asJSON)
}

// benchTrain is --bench-steps: N train steps on one repeated batch, timed.
func benchTrain(cfg config.Config, dataDir string, steps int) error {
	be, info, err := backend.Open(cfg.Backend)
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, info.String())
	set, err := data.Load(data.Options{Dir: dataDir})
	if err != nil {
		return err
	}
	b, err := trainer.Bench(cfg, trainer.Options{Backend: be, BackendName: info.Name, Device: info.Device,
		Allocator: info.Allocator, XLAFlags: info.XLAFlags, Data: set}, steps)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(b)
}

// printTrain prints a run: d2l's final line on stdout and the memory line on
// stderr, or one JSON object; an unfinished run is an error (exit status 1).
func printTrain(cfg config.Config, cell *harness.CellResult, asJSON bool) error {
	res, memory, model := cell.Result, cell.Memory, cell.MemoryModel
	warning := trainWarning(cfg, res)
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Config config.Config `json:"config"`
			*trainer.Result
			Memory      *nvml.Summary        `json:"memory,omitempty"`
			MemoryModel *results.MemoryModel `json:"memory_model,omitempty"`
			// Warning is the line text mode prints when the run diverged or
			// ended within 0.05 of chance, naming the likely cause.
			Warning string `json:"warning,omitempty"`
		}{cfg, res, memory, model, warning}); err != nil {
			return err
		}
	} else if f := res.Final(); len(res.Epochs) > 0 {
		// d2l's train_ch6 final line (its rate is over all epochs, as here).
		fmt.Printf("loss %.3f, train acc %.3f, test acc %.3f\n%.1f examples/sec on %s\n",
			f.TrainLoss, f.TrainAcc, f.TestAcc, res.ExamplesPerSec, res.Device)
		if line := memoryLine(memory, model); line != "" {
			fmt.Fprintln(os.Stderr, line)
		}
	}
	if warning != "" && !asJSON {
		fmt.Fprintln(os.Stderr, warning)
	}
	if cell.Outcome != trainer.OutcomeDone {
		return fmt.Errorf("run %s: %s", cell.Outcome, cell.Error)
	}
	return nil
}

// trainWarning is "warning: …" when the run diverged or ended within 0.05
// of chance accuracy, naming the likely cause (harness/diagnose), else "".
func trainWarning(cfg config.Config, res *trainer.Result) string {
	if res == nil {
		return ""
	}
	f := res.Final()
	test, train := f.TestAcc, f.TrainAcc
	if len(res.Epochs) == 0 {
		test, train = math.NaN(), math.NaN()
	}
	d, ok := diagnose.Check(diagnose.Run{Config: cfg, Outcome: res.Outcome, TestAcc: test, TrainAcc: train, DivergedEpoch: res.DivergedEpoch})
	if !ok {
		return ""
	}
	return "warning: " + d.String()
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// memoryLine is one line on what the run held, e.g. "peak memory 3,210 MiB
// (nvml-process), 2,980 MiB after the first step; analytic model 1,303 MiB".
func memoryLine(sum *nvml.Summary, model *results.MemoryModel) string {
	if sum == nil || !sum.PeakMiB.Valid() {
		return ""
	}
	line := fmt.Sprintf("peak memory %s (%s)", numfmt.MiB(float64(sum.PeakMiB)), sum.Method)
	if sum.SteadyPeakMiB.Valid() {
		line += ", " + numfmt.MiB(float64(sum.SteadyPeakMiB)) + " after the first step"
	}
	if model != nil {
		line += "; analytic model " + numfmt.MiB(model.TotalMiB)
	}
	if sum.Reason != "" {
		line += " — " + sum.Reason
	}
	return line
}
