package main

import (
	"bytes"
	"encoding/json"
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
	results := filepath.Join(dir, "results")
	if err := os.CopyFS(results, os.DirFS("../../reports/testdata/real-quick")); err != nil {
		t.Fatal(err)
	}
	if err := runReport([]string{"--results", results, "--echarts", stub}); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(filepath.Join(results, "report.html"))
	if err != nil {
		t.Fatalf("default output: %v", err)
	}
	if err := runReport([]string{"--results", results, "--echarts", stub}); err != nil {
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
	if err := runReport([]string{"-o", out, "--results", results, "--echarts", stub}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("-o: %v", err)
	}
	// answers.json lands beside the page, and --json prints the same bytes.
	written, err := os.ReadFile(filepath.Join(dir, "elsewhere", "answers.json"))
	if err != nil {
		t.Fatalf("answers.json beside -o: %v", err)
	}
	var doc struct {
		Profile   string `json:"profile"`
		Exercises []struct {
			ID          string `json:"id"`
			Answer      string `json:"answer"`
			Comparisons []struct {
				Verdict string `json:"verdict"`
			} `json:"comparisons"`
		} `json:"exercises"`
	}
	if err := json.Unmarshal(written, &doc); err != nil {
		t.Fatalf("answers.json: %v", err)
	}
	ids := map[string]bool{}
	comparisons := 0
	for _, e := range doc.Exercises {
		ids[e.ID] = e.Answer != ""
		comparisons += len(e.Comparisons)
	}
	for _, id := range []string{"d2l-8-1", "d2l-ex-1-1", "d2l-ex-1-2", "d2l-ex-1-3", "d2l-ex-2", "d2l-ex-3", "d2l-ex-4", "d2l-ex-5-1", "d2l-ex-5-2", "d2l-ex-6", "d2l-ex-7", "d2l-ex-8"} {
		if !ids[id] {
			t.Errorf("answers.json: section %s missing or without an answer", id)
		}
	}
	if doc.Profile != "quick" || comparisons < 50 {
		t.Errorf("answers.json: profile %q, %d comparisons", doc.Profile, comparisons)
	}
	printed := captureStdout(t, func() error { return runReport([]string{"--results", results, "--json"}) })
	if !bytes.Equal(printed, written) {
		t.Errorf("--json printed %d bytes, answers.json holds %d: they differ", len(printed), len(written))
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
