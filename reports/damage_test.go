package reports

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"alexbench/reports/internal/fixture"
)

// TestReportSurvivesDamage breaks one kind of file in every cell of the
// fixture (what a full disk, a killed writer or a hand edit leaves) and checks
// the report still renders every section and names the damaged files.
func TestReportSurvivesDamage(t *testing.T) {
	cases := []struct {
		name    string
		file    string
		damage  func(path string) error
		problem string // expected in the report when the file is unreadable
	}{
		{"config.toml deleted", "config.toml", os.Remove, ""},
		{"config.toml garbage", "config.toml", func(p string) error { return os.WriteFile(p, []byte("model = [unclosed"), 0o644) }, "config.toml"},
		{"metrics.jsonl torn", "metrics.jsonl", func(p string) error {
			return os.WriteFile(p, []byte(`{"epoch":1,"train_loss":0.5}`+"\n"+`{"epoch":2,"tra`), 0o644)
		}, "metrics.jsonl: line 2"},
		{"metrics.jsonl deleted", "metrics.jsonl", os.Remove, ""},
		{"summary.json empty", "summary.json", func(p string) error { return os.WriteFile(p, nil, 0o644) }, "summary.json"},
		{"summary.json with a foreign key", "summary.json", func(p string) error {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(p, []byte(strings.Replace(string(b), `"key": "`, `"key": "f`, 1)), 0o644)
		}, "is not the folder&#39;s"},
		{"nvml.csv binary", "nvml.csv", func(p string) error { return os.WriteFile(p, []byte("\x00\x01\"\x02\n\"x"), 0o644) }, "nvml.csv"},
		{"filters.png not a PNG", "filters.png", func(p string) error { return os.WriteFile(p, []byte("GIF89a"), 0o644) }, "filters.png: not a PNG file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := fixture.WriteTree(t)
			n := 0
			err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.Name() != c.file {
					return err
				}
				n++
				return c.damage(p)
			})
			if err != nil || n == 0 {
				t.Fatalf("damaged %d files: %v", n, err)
			}
			html := string(renderFixture(t, root))
			for _, id := range []string{"d2l-8-1", "d2l-ex-1-1", "d2l-ex-1-2", "d2l-ex-1-3", "d2l-ex-2", "d2l-ex-3", "d2l-ex-4", "d2l-ex-5-1", "d2l-ex-5-2", "d2l-ex-6", "d2l-ex-7", "d2l-ex-8"} {
				if !strings.Contains(html, `<section id="`+id+`"`) {
					t.Errorf("section %s missing", id)
				}
			}
			if c.problem != "" && !strings.Contains(html, c.problem) {
				t.Errorf("report does not name the damage %q", c.problem)
			}
			for _, bad := range []string{">NaN", "NaN<", "%!", "-9,223,372"} {
				if strings.Contains(html, bad) {
					t.Errorf("report contains %q", bad)
				}
			}
		})
	}
}
