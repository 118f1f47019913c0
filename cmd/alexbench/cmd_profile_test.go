package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"alexbench/harness/profile"
)

// Bad command lines get one clear error naming the flag or argument.
func TestProfileBadArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "want one model name"},
		{[]string{"nosuch"}, `unknown model "nosuch"`},
		{[]string{"lenet", "--batches", "1,x"}, `--batches: "x" is not a positive integer`},
		{[]string{"lenet", "--batches", "0"}, `--batches: "0"`},
		{[]string{"lenet", "--batch", "2", "--batches", "1,2"}, "not both"},
		{[]string{"lenet", "--batch", "-3"}, "--batch: -3 is out of range"},
		{[]string{"lenet", "--runs", "0"}, "--runs: 0 is out of range"},
		{[]string{"lenet", "--resize", "4"}, "too small"},
		{[]string{"lenet", "--backend", "tpu"}, `backend "tpu"`},
	} {
		var out, errOut bytes.Buffer
		err := runProfile(append(tc.args, "-o", t.TempDir()), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to contain %q", tc.args, err, tc.want)
		}
	}
}

// A measured run on SimpleGo writes one file per batch size, in the
// report's format, with every layer timed, and prints the table.
func TestProfileWritesFiles(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	args := []string{"lenet", "--batches", "1,2", "--backend", "go", "--runs", "3", "--warmup", "0",
		"--matmul-n", "64", "--copy-mib", "1", "-o", dir}
	if err := runProfile(args, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	for _, b := range []string{"1", "2"} {
		data, err := os.ReadFile(filepath.Join(dir, "lenet-b"+b+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var f profile.File
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatal(err)
		}
		if f.Model != "lenet" || f.Ceilings.MatmulN != 64 || f.Ceilings.CopyBytes != 1<<20 || f.Runs != 3 {
			t.Errorf("b%s: %+v", b, f)
		}
		for _, l := range f.Layers {
			if l.FwdMs <= 0 || l.FwdBwdMs <= 0 {
				t.Errorf("b%s %s not measured", b, l.Name)
			}
		}
	}
	if n := strings.Count(out.String(), "\nMemory (batch "); n != 2 {
		t.Errorf("table printed %d times, want 2:\n%s", n, out.String())
	}
}

// --json prints the document; --compute-only opens no backend.
func TestProfileComputeOnlyJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := runProfile([]string{"alexnet", "--batch", "128", "--compute-only", "--json", "-o", ""}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	var f profile.File
	if err := json.Unmarshal(out.Bytes(), &f); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if f.Totals.Params != 46_764_746 || f.Batch != 128 || len(f.Layers) != 21 || f.Layers[0].FwdMs != 0 {
		t.Errorf("%+v", f.Totals)
	}
}
