package main

import (
	"alexbench/harness/config"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"alexbench/nvml"
)

// Flags resolve to the same Config a matrix cell would: the model's defaults,
// then the flags given, bool keys bare or with a value, aliases included.
func TestTrainFlagsResolveConfig(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{args: []string{"--model", "alexnet", "--normalize", "--batch", "64", "--fc-width", "512"}},
		{args: []string{"--model", "lenet", "--batchnorm=true", "--lr", "0.2"}},
		{args: []string{"--model", "lenet", "--lr", "fast"}, wantErr: `--lr: key "lr": want a number`},
		{args: []string{"--model", "lenet", "--normalize=maybe"}, wantErr: `--normalize: key "normalize": want true or false`},
		{args: []string{"--model", "lenet", "--batch", "0"}, wantErr: `key "batch_size"`},
		{args: []string{"--model", "vgg"}, wantErr: `--model: unknown model "vgg"`},
	} {
		fs := newFlagSet("train")
		model := configFlags(fs)
		if _, err := parseInterleaved(fs, tc.args); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		cfg, err := resolveConfig(fs, model)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: error %v, want %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tc.args, err)
			continue
		}
		switch cfg.Model {
		case "alexnet":
			if !cfg.Normalize || cfg.BatchSize != 64 || cfg.FCWidth != 512 || cfg.LR != 0.01 {
				t.Errorf("%v → %+v", tc.args, cfg)
			}
		case "lenet":
			if !cfg.BatchNorm || cfg.LR != 0.2 || cfg.Normalize || cfg.BatchSize != 256 {
				t.Errorf("%v → %+v", tc.args, cfg)
			}
		}
	}
}

// `train --model lenet --activation relu` trains at ReLU's rate, not
// sigmoid's 0.9; --lr still wins.
func TestTrainLRFollowsActivation(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want float64
	}{
		{[]string{"--model", "lenet", "--activation", "relu", "--json"}, 0.1},
		{[]string{"--model", "lenet", "--activation", "sigmoid"}, 0.9},
		{[]string{"--model", "lenet"}, 0.9},
		{[]string{"--model", "lenet", "--activation", "relu", "--lr", "0.9"}, 0.9},
		{[]string{"--activation", "relu", "--model", "lenet"}, 0.1},
	} {
		fs := newFlagSet("train")
		model := configFlags(fs)
		fs.Bool("json", false, "")
		if _, err := parseInterleaved(fs, tc.args); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		cfg, err := resolveConfig(fs, model)
		if err != nil || cfg.LR != tc.want {
			t.Errorf("%v: lr %v (%v), want %v", tc.args, cfg.LR, err, tc.want)
		}
	}
}

func TestMemoryLine(t *testing.T) {
	nan := nvml.NaN()
	model := &results.MemoryModel{TotalMiB: 1302.85}
	for _, tc := range []struct {
		name   string
		memory *nvml.Summary
		model  *results.MemoryModel
		want   string
	}{
		{"GPU with a steady peak", &nvml.Summary{Method: nvml.MethodProcess, PeakMiB: 4751.6, SteadyPeakMiB: 3210.2}, model,
			"peak memory 4,752 MiB (nvml-process), 3,210 MiB after the first step; analytic model 1,303 MiB"},
		{"CPU: RSS and why", &nvml.Summary{Method: nvml.MethodRSS, PeakMiB: 201, SteadyPeakMiB: nan, Reason: "NVML unavailable: no driver"}, nil,
			"peak memory 201 MiB (rss) — NVML unavailable: no driver"},
		{"nothing measured", &nvml.Summary{Method: nvml.MethodRSS, PeakMiB: nan}, model, ""},
		{"no sampler", nil, model, ""},
	} {
		if got := memoryLine(tc.memory, tc.model); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// A run at chance or diverged prints a warning naming the likely cause.
func TestTrainWarning(t *testing.T) {
	relu := func(lr float64) config.Config {
		c := config.MustDefault("lenet")
		c.Activation, c.LR, c.Epochs, c.BatchSize, c.TrainLimit = "relu", lr, 3, 64, 2560
		return c
	}
	sigmoid := config.MustDefault("lenet")
	sigmoid.Epochs, sigmoid.BatchSize, sigmoid.TrainLimit = 3, 64, 2560
	done := func(test, train float64) *trainer.Result {
		return &trainer.Result{Outcome: "done", Epochs: []trainer.Epoch{{Epoch: 1, TestAcc: test, TrainAcc: train, TrainLoss: 2.3}}}
	}
	majority := func(r *trainer.Result, rate float64) *trainer.Result { r.TestMajorityRate = rate; return r }
	for _, tc := range []struct {
		name string
		cfg  config.Config
		res  *trainer.Result
		want string // "" for no warning
	}{
		{"ReLU at sigmoid's rate", relu(0.9), done(0.139, 0.12),
			"warning: test acc 0.139 is within 0.05 of chance (0.10); likely cause: lr 0.9 is 9× above the 0.1 lenet relu trains at by default"},
		{"sigmoid on too few steps", sigmoid, done(0.105, 0.1),
			"warning: test acc 0.105 is within 0.05 of chance (0.10); likely cause: sigmoid activations sit on a plateau at chance for their first few hundred steps"},
		{"diverged", relu(0.9), &trainer.Result{Outcome: "diverged", DivergedEpoch: 1, Epochs: []trainer.Epoch{{Epoch: 1, TrainLoss: math.NaN()}}},
			"warning: loss became NaN/Inf in epoch 1; likely cause: lr 0.9 is 9× above the 0.1 lenet relu trains at by default; lower it"},
		{"learned", relu(0.1), done(0.75, 0.7), ""},
		{"near the test images' majority-class rate", relu(0.1), majority(done(0.19, 0.9), 0.14),
			"warning: test acc 0.190 is within 0.05 of chance (0.14, the test images' majority-class rate)"},
	} {
		got := trainWarning(tc.cfg, tc.res)
		if (tc.want == "") != (got == "") || !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q…", tc.name, got, tc.want)
		}
	}
}

// The real command: `train --model lenet --activation relu --json` trains at
// lr 0.1, and a sigmoid run too short to leave chance carries the warning in
// its JSON.
func TestTrainJSONResolvesLRAndWarns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two tiny real runs")
	}
	dataDir := fashionMNIST(t)
	run := func(args ...string) map[string]any {
		t.Helper()
		out := captureStdout(t, func() error {
			return cmdTrain(append(args, "--epochs", "1", "--train-limit", "256", "--test-limit", "200", "--batch", "64",
				"--backend", "go", "--data", dataDir, "--json"))
		})
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("train %v --json: %v\n%s", args, err, out)
		}
		return m
	}
	relu := run("--model", "lenet", "--activation", "relu")
	if lr := relu["config"].(map[string]any)["lr"]; lr != 0.1 {
		t.Errorf("relu LeNet trained at lr %v, want 0.1", lr)
	}
	sig := run("--model", "lenet", "--seed", "2")
	if w, _ := sig["warning"].(string); !strings.Contains(w, "within 0.05 of chance") || !strings.Contains(w, "sigmoid") {
		t.Errorf("sigmoid LeNet after 4 steps: warning %q, want one naming sigmoid's plateau (test acc %v)", w, sig["epochs"])
	}
}
