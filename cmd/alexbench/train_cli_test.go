package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"alexbench/harness/config"
)

// Every bad train command line is refused, by the real binary, before any
// training, with exit status 1 and one line that says what to type instead.
func TestTrainRefusesBadCommandLinesWithAGuide(t *testing.T) {
	work := t.TempDir()
	notADir := filepath.Join(work, "file")
	if err := os.WriteFile(notADir, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--model", "lenet", "lenet"}, `unexpected argument "lenet": train takes only flags (did you mean --model lenet?)`},
		{[]string{"alexnt"}, `unexpected argument "alexnt": train takes only flags (did you mean --model alexnet?)`},
		{[]string{"--normalize", "maybe"}, `unexpected argument "maybe": train takes only flags (--normalize is a switch: write --normalize, --normalize=true or --normalize=false)`},
		{[]string{"--batchnorm", "false"}, `unexpected argument "false": train takes only flags (--batchnorm is a switch: write --batchnorm=false)`},
		{[]string{"--bench-steps", "-5"}, "--bench-steps -5: want N ≥ 1 steps"},
		{[]string{"--artifacts", filepath.Join(notADir, "pngs")}, "--artifacts " + filepath.Join(notADir, "pngs") + ": cannot create the folder"},
		{[]string{"--activaton", "relu"}, "unknown flag --activaton (did you mean --activation?); see alexbench train -h"},
		{[]string{"--learning-rate", "0.1"}, "unknown flag --learning-rate; see alexbench train -h"},
		{[]string{"--activation", "relux"}, `key "activation": relux: must be relu or sigmoid (did you mean relu?)`},
		{[]string{"--model", "alexnt"}, `--model: unknown model "alexnt" (known: alexnet, cnn28, lenet, resnet28) (did you mean alexnet?)`},
		{[]string{"--precision", "bf61"}, `(did you mean bf16?)`},
	} {
		code, stdout, stderr := runProc(t, work, append([]string{"train"}, tc.args...)...)
		if code != 1 || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("train %v: status %d, stderr %q; want 1 and %q", tc.args, code, stderr, tc.want)
		}
		if strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("train %v: more than one line on stderr:\n%s", tc.args, stderr)
		}
	}
}

// train --help lists every config key with its allowed values and default,
// a synopsis and an example, and exits 0.
func TestTrainHelpGivesValuesDefaultsAndAnExample(t *testing.T) {
	code, _, stderr := runProc(t, t.TempDir(), "train", "--help")
	if code != 0 {
		t.Fatalf("train --help: status %d\n%s", code, stderr)
	}
	for _, want := range []string{"usage: alexbench train", "example:\n  alexbench train --model lenet", "--bench-steps", "--yes"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	for _, key := range config.Keys() {
		h := config.Help(key)
		flagLine := "--" + strings.ReplaceAll(key, "_", "-") + strings.Repeat(" ", max(1, 17-len(key)-2)) + h.Values
		if !strings.Contains(stderr, flagLine) || !strings.Contains(stderr, h.What+"; default "+config.DefaultText(key)) {
			t.Errorf("help lacks key %s's values %q, what and default", key, h.Values)
		}
		if strings.Contains(stderr, "config key "+key) {
			t.Errorf("help still says only \"config key %s\"", key)
		}
	}
}

// On a CPU, d2l's AlexNet at 224 (days there) is estimated from its FLOPs and
// the measured backend speed, and refused without --yes.
func TestTrainAsksForYesBeforeADaysLongCPURun(t *testing.T) {
	code, _, stderr := runProc(t, t.TempDir(), "train", "--model", "alexnet", "--resize", "224", "--backend", "go")
	if code != 1 {
		t.Fatalf("status %d, want 1:\n%s", code, stderr)
	}
	for _, want := range []string{"estimate: alexnet at 224×224, 10 epochs of all training examples on this CPU: at least ",
		"GFLOP/s matmul speed)", "pass --yes to run it anyway"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}
