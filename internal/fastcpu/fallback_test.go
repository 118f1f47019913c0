package fastcpu

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Without OpenBLAS the package must say so and leave SimpleGo's own kernels
// in place: run this test binary again with a library that does not exist.
func TestMissingBLASFallsBack(t *testing.T) {
	if os.Getenv("FASTCPU_CHILD") == "1" {
		if Installed() {
			t.Fatalf("installed with ALEXBENCH_BLAS=%s: %s", os.Getenv("ALEXBENCH_BLAS"), Status())
		}
		if !strings.Contains(Status(), "no BLAS library") || !strings.Contains(Status(), "SimpleGo's own kernels") {
			t.Fatalf("status does not say why: %q", Status())
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestMissingBLASFallsBack$", "-test.v")
	cmd.Env = append(os.Environ(), "FASTCPU_CHILD=1", "ALEXBENCH_BLAS=/nonexistent/libopenblas.so.0", EnvSwitch+"=")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

// A build without cgo, or with the nofastcpu tag, must still compile (the
// stub in blas_none.go) — type-checked with go vet, which is quick.
func TestBuildsWithoutBLAS(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go tool")
	}
	for _, c := range []struct {
		name string
		env  []string
		args []string
	}{
		{"nofastcpu tag", nil, []string{"vet", "-tags", "nofastcpu", "alexbench/internal/fastcpu", "alexbench/models/nn"}},
		{"CGO_ENABLED=0", []string{"CGO_ENABLED=0"}, []string{"vet", "alexbench/internal/fastcpu"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command("go", c.args...)
			cmd.Env = append(os.Environ(), c.env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go %s: %v\n%s", strings.Join(c.args, " "), err, out)
			}
		})
	}
}
