package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// answerLimit is not a speed requirement: a command that has not refused a
// bad number by then is hung on it (before the fix, --jobs 1000000 did not
// answer in 60 s) or allocating what it asked for.
const answerLimit = 20 * time.Second

// Every number a flag takes goes through one check: out of range, not
// finite, or too big for a machine, the command exits 1 at once with one
// message naming the flag — no panic, no out-of-memory death, no hang, no
// training on NaN.
func TestBadNumbersAreRefusedNamingTheFlag(t *testing.T) {
	bin := alexbench(t)
	tree := t.TempDir()
	run := []string{"run", "testdata/matrices/good/kill.toml", "--results", tree, "--dry-run"}
	cases := []struct {
		args []string
		want string
	}{
		{append(run, "--jobs", "9223372036854775807"), "--jobs: 9223372036854775807 is out of range"},
		{append(run, "--jobs", "2147483648"), "--jobs: 2147483648 is out of range"},
		{append(run, "--jobs", "1000000"), "--jobs: 1000000 is out of range"},
		{append(run, "--shard", "1/9223372036854775807"), "--shard 1/9223372036854775807: at most"},
		{append(run, "--shard", "1/1000000000"), "--shard 1/1000000000: at most"},
		{append(run, "--mem-factor", "NaN"), "--mem-factor: NaN is not a finite number"},
		{[]string{"profile", "alexnet", "--compute-only", "--batch", "1000000000"}, "--batch: 1000000000 is out of range"},
		{[]string{"profile", "alexnet", "--compute-only", "--batches", "1,1000000000"}, "--batches: 1000000000 is out of range"},
		{[]string{"profile", "alexnet", "--compute-only", "--resize", "100000"}, "--resize: 100000 is out of range"},
		{[]string{"profile", "alexnet", "--matmul-n", "3000000"}, "--matmul-n: 3000000 is out of range"},
		{[]string{"profile", "alexnet", "--copy-mib", "100000000000"}, "--copy-mib: 100000000000 is out of range"},
		{[]string{"train", "--model", "cnn28", "--width", "NaN"}, `"width": NaN is not a finite number`},
		{[]string{"train", "--model", "lenet", "--dropout", "NaN", "--json"}, `"dropout": NaN is not a finite number`},
		{[]string{"train", "--model", "lenet", "--lr", "Inf"}, `"lr": +Inf is not a finite number`},
		{[]string{"train", "--model", "lenet", "--bench-steps", "1000000000000"}, "--bench-steps: 1000000000000 is out of range"},
		{[]string{"compare", "--max-regression", "NaN%", tree, tree}, "--max-regression: \"NaN%\""},
		{[]string{"compare", "--speed-sigmas", "NaN", tree, tree}, "--speed-sigmas: NaN is not a finite number"},
		{[]string{"compare", "--acc-sigmas", "NaN", tree, tree}, "--acc-sigmas: NaN"},
		{[]string{"compare", "--acc-floor", "NaN", tree, tree}, "--acc-floor: NaN"},
		{[]string{"compare", "--max-memory-growth", "NaN%", tree, tree}, "--max-memory-growth: \"NaN%\""},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), answerLimit)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, tc.args...)
			cmd.Dir = "../.."
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			if ctx.Err() != nil {
				t.Fatalf("still running after %s; stderr:\n%s", answerLimit, errb.String())
			}
			code := -1
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err == nil {
				code = 0
			}
			stderr := errb.String()
			if code != 1 || strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
				t.Fatalf("exit status %d, want 1 with a message; stderr:\n%s", code, tail(stderr, 2000))
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr does not say %q:\n%s", tc.want, tail(stderr, 2000))
			}
		})
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
