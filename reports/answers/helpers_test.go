package answers

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"alexbench/harness/profile"
	"alexbench/reports/load"
)

// Assertion helpers shared by the answers' tests: they find an Answer, or a
// table, figure or comparison in it, and fail the test with what is there
// when it is missing, so each test states only what it expects.

// realQuickRoot is the committed results tree of a real quick run of every
// matrix (reports/testdata/README.md).
var realQuickRoot = filepath.Join("..", "testdata", "real-quick")

// loadTree loads a results tree or fails the test.
func loadTree(t testing.TB, root string) *Results {
	t.Helper()
	res, err := load.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// realQuickResults is the committed real quick results tree, loaded.
func realQuickResults(t testing.TB) *Results {
	t.Helper()
	return loadTree(t, realQuickRoot)
}

// answerOf is the Answer with id among as, or fails the test.
func answerOf(t testing.TB, as []*Answer, id string) *Answer {
	t.Helper()
	for _, a := range as {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("no answer %s", id)
	return nil
}

// sectionAnswer loads the tree at root and returns the answer with id (the
// section the page shows under that anchor).
func sectionAnswer(t testing.TB, root, id string) *Answer {
	t.Helper()
	return answerOf(t, Build(loadTree(t, root)), id)
}

// realQuickAnswer is the answer with id built from the real quick tree.
func realQuickAnswer(t testing.TB, id string) *Answer {
	t.Helper()
	return sectionAnswer(t, realQuickRoot, id)
}

// buildProfiles writes the profiles into a fresh results tree and answers it.
func buildProfiles(t testing.TB, fs ...profile.File) []*Answer {
	t.Helper()
	root := filepath.Join(t.TempDir(), "results")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range fs {
		if _, err := profile.Write(filepath.Join(root, "profile"), &fs[i]); err != nil {
			t.Fatal(err)
		}
	}
	return Build(loadTree(t, root))
}

// wantInText fails unless text contains every want.
func wantInText(t testing.TB, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("missing %q in:\n%s", w, text)
		}
	}
}

// wantText fails unless every want is in one of the answer's paragraphs.
func wantText(t testing.TB, a *Answer, want ...string) {
	t.Helper()
	wantInText(t, strings.Join(a.Text, "\n"), want...)
}

// textHas reports whether one of a's paragraphs contains s.
func textHas(a *Answer, s string) bool {
	for _, x := range a.Text {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

// answerText is the answer's paragraphs and its tables' cells, one string:
// what a reader reads, wherever the answer put it.
func answerText(a *Answer) string {
	parts := append([]string(nil), a.Text...)
	for _, t := range tables(a) {
		parts = append(parts, t.Caption)
		for _, r := range t.Rows {
			parts = append(parts, strings.Join(r, " "))
		}
	}
	return strings.Join(parts, "\n")
}

// comparison is the answer's comparison of family fam named what on metric.
func comparison(t testing.TB, a *Answer, fam, what, metric string) *Comparison {
	t.Helper()
	for _, c := range a.Comparisons {
		if c.Family == fam && c.What == what && c.Metric == metric {
			return c
		}
	}
	var have []string
	for _, c := range a.Comparisons {
		have = append(have, c.Family+" | "+c.What+" | "+c.Metric)
	}
	t.Fatalf("no comparison %q in family %q on %s; have:\n%s", what, fam, metric, strings.Join(have, "\n"))
	return nil
}

// tables are a's tables, in order.
func tables(a *Answer) []*Table {
	var ts []*Table
	for _, b := range a.Blocks {
		if b.Table != nil {
			ts = append(ts, b.Table)
		}
	}
	return ts
}

// tableOf is the answer's table whose caption starts with caption.
func tableOf(t testing.TB, a *Answer, caption string) *Table {
	t.Helper()
	for _, tab := range tables(a) {
		if strings.HasPrefix(tab.Caption, caption) {
			return tab
		}
	}
	t.Fatalf("no table %q", caption)
	return nil
}

// figures are a's figures, in order.
func figures(a *Answer) []Figure {
	var fs []Figure
	for _, b := range a.Blocks {
		fs = append(fs, b.Figures...)
	}
	return fs
}

// findFigure is a's figure named name, nil if none.
func findFigure(a *Answer, name string) *Figure {
	for _, b := range a.Blocks {
		for i := range b.Figures {
			if b.Figures[i].Name == name {
				return &b.Figures[i]
			}
		}
	}
	return nil
}

// figureOf is the answer's figure named name, or fails the test.
func figureOf(t testing.TB, a *Answer, name string) Figure {
	t.Helper()
	f := findFigure(a, name)
	if f == nil {
		t.Fatalf("no figure %q", name)
	}
	return *f
}

// near tells whether x is within 1e-3 of want (values printed to 3 places).
func near(x, want float64) bool { return math.Abs(x-want) < 1e-3 }
