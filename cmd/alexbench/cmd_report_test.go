package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportCommand renders the committed real quick run twice: the file
// appears where -o says, the same results give the same bytes, and bad
// invocations fail with one clear error and write nothing.
func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	stub := filepath.Join(dir, "echarts.min.js")
	if err := os.WriteFile(stub, []byte("window.echarts = {};"+strings.Repeat(" ", 2000)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ALEXBENCH_ECHARTS", stub)
	results := filepath.Join(dir, "results")
	if err := os.CopyFS(results, os.DirFS("../../reports/testdata/real-quick")); err != nil {
		t.Fatal(err)
	}
	if err := runReport([]string{"--results", results}); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(filepath.Join(results, "report.html"))
	if err != nil {
		t.Fatalf("default output: %v", err)
	}
	if err := runReport([]string{"--results", results}); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(filepath.Join(results, "report.html"))
	if !bytes.Equal(first, second) {
		t.Error("two reports of the same results differ")
	}
	if !bytes.Contains(first, []byte("alexbench report --results "+results)) || !bytes.Contains(first, []byte(`<section id="d2l-ex-7"`)) {
		t.Error("report lacks its regenerating command or exercise 7's section (E5)")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(results, ".report.html.tmp-*")); len(leftovers) > 0 {
		t.Errorf("temp files left: %v", leftovers)
	}

	out := filepath.Join(dir, "elsewhere", "r.html")
	if err := runReport([]string{"-o", out, "--results", results}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("-o: %v", err)
	}

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"missing results folder", []string{"--results", filepath.Join(dir, "nope")}, "does not exist"},
		{"positional argument", []string{"results"}, `unexpected argument "results"`},
		{"echarts missing", []string{"--results", results, "--echarts", filepath.Join(dir, "none.js")}, "echarts"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := runReport(c.args)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}
