//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"alexbench/harness/matrix"
	"alexbench/harness/results"
)

// A claim generation file that is a FIFO, a link to /dev/zero, or a record
// whose heartbeat is in 2099 must not hang `run --dry-run` nor hold the cell
// forever: once the file is older than the claim timeout the cell is free.
func TestDamagedClaimFilesNeitherHangNorHoldTheCell(t *testing.T) {
	m, err := matrix.Load("../../testdata/matrices/good/kill.toml")
	if err != nil {
		t.Fatal(err)
	}
	key := m.Cells(matrix.ProfileQuick)[0].Key
	old := time.Now().Add(-time.Hour)
	future := `{"gen": 1, "token": "x", "host": "elsewhere", "pid": 1, "started": "2099-01-01T00:00:00Z", "heartbeat": "2099-01-01T00:00:00Z"}`
	cases := []struct {
		name string
		make func(path string) error
	}{
		{"FIFO", func(p string) error { return syscall.Mkfifo(p, 0o644) }},
		{"link to /dev/zero", func(p string) error { return os.Symlink("/dev/zero", p) }},
		{"heartbeat in 2099", func(p string) error { return os.WriteFile(p, []byte(future), 0o644) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tree := filepath.Join(t.TempDir(), "results")
			claimDir := results.ClaimDir(tree, key)
			if err := os.MkdirAll(claimDir, 0o755); err != nil {
				t.Fatal(err)
			}
			gen := filepath.Join(claimDir, "1")
			if err := tc.make(gen); err != nil {
				t.Fatal(err)
			}
			if tc.name != "link to /dev/zero" { // Chtimes follows a link: /dev/zero's times are not ours to set
				os.Chtimes(gen, old, old)
			}
			code, stdout, stderr := runProc(t, "../..", "run", "testdata/matrices/good/kill.toml", "--results", tree, "--dry-run", "--claim-timeout", "1m")
			if code != 0 {
				t.Fatalf("exit status %d; stderr:\n%s", code, stderr)
			}
			if tc.name != "link to /dev/zero" && strings.Contains(stdout, "running now") {
				t.Errorf("the damaged claim, an hour old, still holds the cell:\n%s", stdout)
			}
		})
	}
}
