package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// realQuick is a real quick-profile results tree the harness wrote
// (reports/testdata/README.md says how it was made).
var realQuick = filepath.Join("..", "testdata", "real-quick")

// TestRealQuickExercises reads the real tree, whose matrix.json files still
// hold the harness's older E-names: each maps onto d2l's number.
func TestRealQuickExercises(t *testing.T) {
	res, err := Load(realQuick)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Errorf("problems: %v", res.Problems)
	}
	got := map[string]string{}
	var order []string
	for _, m := range res.Matrices {
		got[m.Folder] = m.Exercise + ", " + m.File
		order = append(order, m.Folder)
	}
	want := map[string]string{
		"e0-alexnet":    "s8.1, experiments/e0-alexnet.toml",
		"e1-epochs":     "4, experiments/e1-epochs.toml",
		"e2-simplify":   "5.1, experiments/e2-simplify.toml",
		"e2-28x28":      "5.2, experiments/e2-28x28.toml",
		"e3-batch-size": "6, experiments/e3-batch-size.toml",
		"e5-lenet":      "7, experiments/e5-lenet.toml",
		"e7-augment":    "7, experiments/e7-augment.toml",
		"e8-overfit":    "8, experiments/e8-overfit.toml",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	// Matrices come in d2l's order, then by name.
	if s := strings.Join(order, " "); s != "e0-alexnet e1-epochs e2-simplify e2-28x28 e3-batch-size e5-lenet e7-augment e8-overfit" {
		t.Errorf("order %s", s)
	}
	if len(res.Profiles) == 0 {
		t.Error("no per-layer profiles loaded")
	}
}

// TestNoExerciseFromFolderName: a matrix whose matrix.json names no exercise
// answers none, whatever its folder is called.
func TestNoExerciseFromFolderName(t *testing.T) {
	root := t.TempDir()
	for name, rec := range map[string]string{
		"e5-lenet":    `{"name": "e5-lenet", "axes": [], "profiles": {}}`,
		"e2-28x28":    `{"name": "e2-28x28", "exercise": "E2", "axes": [], "profiles": {}}`,
		"ex7-augment": `{"name": "ex7-augment", "exercise": "7", "axes": [], "profiles": {}}`,
	} {
		if err := os.MkdirAll(filepath.Join(root, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, name, "matrix.json"), []byte(rec), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range res.Matrices {
		got[m.Folder] = m.Exercise
	}
	want := map[string]string{"e5-lenet": "", "e2-28x28": "", "ex7-augment": "7"}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: exercise %q (loaded %v), want %q", k, g, ok, v)
		}
	}
}

func TestExerciseKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"7", "7"}, {"ex7", "7"}, {"EX7", "7"}, {" 5.1 ", "5.1"}, {"5_2", "5.2"}, {"s8.1", "s8.1"}, {"§8.1", "s8.1"}, {"8.1", "s8.1"},
		{"E0", "s8.1"}, {"E1", "4"}, {"e2.1", "5.1"}, {"E2_2", "5.2"}, {"E3", "6"}, {"E4", "1.1"}, {"E5", "7"},
		{"E5.1", "5.1"}, {"E7", "7"}, {"E8", "8"}, {"E1.3", "1.3"},
		{"", ""}, {"E2", ""}, {"9", ""}, {"E10", ""}, {"bench", ""},
	} {
		if got := ExerciseKey(c.in); got != c.want {
			t.Errorf("ExerciseKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
