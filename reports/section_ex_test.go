//go:build legacy

package reports

import (
	"html"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sectionText is the text of the section with HTML id id, tags stripped.
func sectionText(t *testing.T, page []byte, id string) string {
	t.Helper()
	s := string(page)
	i := strings.Index(s, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no section %s", id)
	}
	s = s[i:]
	if j := strings.Index(s[len(id)+30:], `class="exercise"`); j > 0 {
		s = s[:j+len(id)+30]
	}
	s = regexp.MustCompile(`(?s)<script.*?</script>`).ReplaceAllString(s, "")
	s = regexp.MustCompile(`<[^>]+>`).ReplaceAllString(s, " ")
	return html.UnescapeString(regexp.MustCompile(`\s+`).ReplaceAllString(s, " "))
}

func wantAll(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("missing %q in:\n%s", w, text)
		}
	}
}

// E7's augmentation: a real effect (normalization: the same curve 0.1 higher
// in every seed, +9.3 points after 4 epochs of the fixture's saturating curve)
// is a finding with its CI; no effect (shift: the same curve) is "~".
func TestEx7AugmentFromCells(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	i := 0
	for _, c := range []struct {
		augment   string
		normalize bool
		skill     float64
	}{{"none", false, 0.7}, {"shift", false, 0.7}, {"flip", false, 0.65}, {"none", true, 0.8}} {
		for seed := int64(1); seed <= 3; seed++ {
			cfg := quickConfig(t, "lenet", map[string]any{"seed": seed, "activation": "relu", "pool": "max", "lr": 0.1,
				"augment": c.augment, "normalize": c.normalize})
			writeFixtureCell(t, root, i, fixtureCell{matrix: "e7-augment", cfg: cfg, outcome: "done", skill: c.skill, secs: 1})
			i++
		}
	}
	writeJSONFile(t, filepath.Join(root, "e7-augment", "matrix.json"), map[string]any{"name": "e7-augment", "exercise": "E7", "description": "augmentation"})
	text := sectionText(t, renderFixture(t, root), "d2l-ex-7")
	wantAll(t, text,
		"Augmentation: shifts and flips of the training images",
		"Invariances (augmentation, within relu LeNet)",
		"better: normalized (+9.3 points (95% CI +9.3 to +9.3; paired t, p < 0.001, n = 3+3 paired)",
		"worse: augment flip (-4.7 points",
		"no difference these runs can tell: augment shift ~ (p = 1.00, n = 3+3 paired)",
		"augment shift vs normalization alone: -9.3 points",
	)
}
