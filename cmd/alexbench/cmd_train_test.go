package main

import (
	"alexbench/harness/results"
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
