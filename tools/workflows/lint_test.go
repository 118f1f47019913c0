package workflows

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// actionlint is pinned: a new release may add checks, and the suite must not
// turn red by itself. Bump on purpose (`go list -m -versions github.com/rhysd/actionlint`).
const actionlint = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"

// The workflows the project ships, and what they must keep referring to.
var workflows = []struct {
	file  string
	needs []string // strings the file must contain
}{
	{"ci.yml", []string{"bash .ci/run", `go-version: "1.26"`}},
	{"nightly-gpu.yml", []string{
		"runs-on: [self-hosted, gpu]", "schedule:", "workflow_dispatch:",
		"bin/alexbench run experiments/bench.toml --profile full",
		"bin/alexbench compare --baseline benchmarks", `--markdown "$GITHUB_STEP_SUMMARY"`,
		"bin/alexbench report", "actions/upload-artifact",
	}},
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repo root: %v", err)
	}
	return root
}

// TestWorkflowsPassActionlint builds the pinned actionlint (the Go module
// proxy, then the build cache) and runs it on every workflow, with
// shellcheck on the run: scripts where shellcheck is installed. Outside CI
// a machine that cannot fetch the module skips; under CI that is a failure.
func TestWorkflowsPassActionlint(t *testing.T) {
	root := repoRoot(t)
	bin := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	install := exec.CommandContext(ctx, "go", "install", actionlint)
	install.Dir = bin // outside the module: `go install pkg@version` ignores go.mod anyway
	install.Env = append(os.Environ(), "GOBIN="+bin, "GOFLAGS=")
	if out, err := install.CombinedOutput(); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("cannot build %s here (no module proxy?): %v\n%s", actionlint, err, out)
		}
		t.Fatalf("go install %s: %v\n%s", actionlint, err, out)
	}

	run := func(dir string, files ...string) (string, error) {
		lint := exec.CommandContext(ctx, filepath.Join(bin, "actionlint"), append([]string{"-no-color"}, files...)...)
		lint.Dir = dir // actionlint reads .github/actionlint.yaml from here (the gpu runner label)
		var out bytes.Buffer
		lint.Stdout, lint.Stderr = &out, &out
		err := lint.Run()
		return out.String(), err
	}

	// First, that it does catch a mistake: a job with no runner and a typo'd key.
	bad := t.TempDir()
	os.MkdirAll(filepath.Join(bad, ".github", "workflows"), 0o755)
	badFile := filepath.Join(".github", "workflows", "bad.yml")
	os.WriteFile(filepath.Join(bad, badFile), []byte("on: push\njobs:\n  x:\n    step:\n      - run: echo\n"), 0o644)
	if out, err := run(bad, badFile); err == nil || !strings.Contains(out, `"runs-on" section is missing`) {
		t.Fatalf("actionlint passed a broken workflow: %v\n%s", err, out)
	}

	var files []string
	for _, w := range workflows {
		files = append(files, filepath.Join(".github", "workflows", w.file))
	}
	if out, err := run(root, files...); err != nil {
		t.Fatalf("actionlint %s: %v\n%s", strings.Join(files, " "), err, out)
	}
}

// TestEveryWorkflowIsLinted keeps the list above complete, and each file
// pointing at the commands and paths the docs promise.
func TestEveryWorkflowIsLinted(t *testing.T) {
	root := repoRoot(t)
	have, _ := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.y*ml"))
	listed := map[string]bool{}
	for _, w := range workflows {
		listed[w.file] = true
		b, err := os.ReadFile(filepath.Join(root, ".github", "workflows", w.file))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range w.needs {
			if !strings.Contains(string(b), s) {
				t.Errorf("%s no longer contains %q", w.file, s)
			}
		}
	}
	for _, f := range have {
		if !listed[filepath.Base(f)] {
			t.Errorf("%s is not in this test's list, so actionlint never sees it", f)
		}
	}
	for _, p := range []string{"experiments/bench.toml", "benchmarks", ".ci/run", ".github/actionlint.yaml"} {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Errorf("the workflows need %s: %v", p, err)
		}
	}
}
