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
	"alexbench/harness/cellspec"
	"alexbench/harness/config"
	"alexbench/harness/diagnose"
	"alexbench/harness/matrix"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
	"alexbench/internal/numfmt"
	"alexbench/internal/switches"
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

// resolveConfig resolves the flags the user actually set, in config.Resolve
// (as a matrix cell is), naming the flag in any error.
func resolveConfig(fs *flag.FlagSet, model *string) (config.Config, error) {
	name := "lenet"
	if *model != "" {
		name = *model
	}
	var assigns []config.Assignment
	var flags []string
	fs.Visit(func(f *flag.Flag) {
		key := strings.ReplaceAll(f.Name, "-", "_")
		if k, ok := flagAliases[f.Name]; ok {
			key = k
		}
		if !config.IsKey(key) || key == "model" {
			return
		}
		assigns = append(assigns, config.Assignment{Key: key, Value: f.Value.String()})
		flags = append(flags, f.Name)
	})
	// As in a matrix cell: LeNet's lr follows --activation unless --lr is given.
	cfg, err := config.Resolve(name, assigns)
	var me *config.ModelError
	var se *config.SetError
	switch {
	case errors.As(err, &me):
		return cfg, fmt.Errorf("--model: %w", me.Err)
	case errors.As(err, &se):
		return cfg, fmt.Errorf("--%s: %w", flags[se.Index], se.Err)
	case err != nil:
		return cfg, fmt.Errorf("flags: %w", err)
	}
	return cfg, nil
}

// resolveCell is the flags' cell (config.Resolve, then cellspec.New): train
// resolves exactly one cell, as a matrix does each of its own. It is keyed
// as a full-profile cell.
func resolveCell(fs *flag.FlagSet, model *string) (*cellspec.Spec, error) {
	cfg, err := resolveConfig(fs, model)
	if err != nil {
		return nil, err
	}
	cell, err := cellspec.New(cfg, matrix.ProfileFull)
	if err != nil {
		return nil, fmt.Errorf("flags: %w", err)
	}
	return cell, nil
}

// maxBenchSteps bounds --bench-steps.
const maxBenchSteps = 1000000

func cmdTrain(args []string) error {
	fs := newFlagSet("train")
	model := configFlags(fs)
	dataDir := fs.String("data", "", "Fashion-MNIST folder (default: $"+switches.DataDirVar+", ./data/fashion-mnist, Debian's)")
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
	cell, err := resolveCell(fs, model)
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
		if err := confirmLongRun(cell, *yes, os.Stderr); err != nil {
			return err
		}
	}
	// The first Ctrl-C stops the run at the next step (outcome failed,
	// "cancelled"); with the handler then removed, a second one kills.
	ctx, stop := signal.NotifyContext(stdctx.Background(), os.Interrupt)
	defer stop()
	go func() { <-ctx.Done(); stop() }()
	if *benchSteps > 0 {
		return benchTrain(cell, *dataDir, *benchSteps)
	}
	t := &harness.BackendTrainer{DataDir: *dataDir, Log: os.Stderr}
	if !*asJSON {
		// A bar on a terminal, plain per-epoch lines otherwise (trainer.Options.Progress).
		t.Progress = os.Stderr
	}
	// Exactly one cell, through the runner's own path: the same sampler
	// (NVML on a GPU, nvml.csv in --artifacts when given; peak RSS
	// otherwise), outcome classification and memory model as a matrix cell.
	sampler := harness.NewSampler()
	defer sampler.Close()
	out, err := harness.TrainCell(ctx, harness.CellRun{Trainer: t, Sampler: sampler}, cell, *artifacts)
	if out.Result == nil {
		if err == nil {
			err = errors.New(out.Error)
		}
		return err
	}
	return printTrain(cell.Config, out, *asJSON)
}

// benchTrain is --bench-steps: N train steps on one repeated batch, timed.
func benchTrain(cell *cellspec.Spec, dataDir string, steps int) error {
	be, info, err := backend.Open(cell.Config.Backend)
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, info.String())
	set, err := data.Load(data.Options{Dir: dataDir})
	if err != nil {
		return err
	}
	b, err := trainer.Bench(cell, trainer.Options{Backend: be, Info: info, Data: set}, steps)
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
			f.TrainLoss, f.TrainAcc, f.TestAcc, res.ExamplesPerSec, res.Backend.Device)
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

// trainWarning is "warning: …" when the run diverged or learned nothing
// (within 0.05 of chance accuracy, the test images' majority-class rate, or
// a train loss still at ln 10), naming the likely cause (harness/diagnose),
// else "".
func trainWarning(cfg config.Config, res *trainer.Result) string {
	if res == nil {
		return ""
	}
	f := res.Final()
	test, train, loss := f.TestAcc, f.TrainAcc, f.TrainLoss
	if len(res.Epochs) == 0 {
		test, train, loss = math.NaN(), math.NaN(), math.NaN()
	}
	d, ok := diagnose.Check(diagnose.Run{Config: cfg, Outcome: res.Outcome, TestAcc: test, TrainAcc: train, TrainLoss: loss,
		DivergedEpoch: res.DivergedEpoch, TestMajorityRate: res.TestMajorityRate})
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
