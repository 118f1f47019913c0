package answers

import (
	"bytes"
	"image/png"
	"path/filepath"
	"strings"
	"testing"

	"alexbench/reports/internal/fixture"
)

// headings are a's headings, in order.
func headings(a *Answer) []string {
	var hs []string
	for _, b := range a.Blocks {
		if b.Heading != "" {
			hs = append(hs, b.Heading)
		}
	}
	return hs
}

// On the committed real tree each model's pictures are those of its
// best-trained seed, as raw PNG bytes with their display size.
func TestPicturesRealQuick(t *testing.T) {
	a := realQuickAnswer(t, "filters")
	if a.Status != Measured || a.Title != "conv1 filters and activation maps" {
		t.Errorf("%s %q %v", a.Status, a.Title, a.Aliases)
	}
	want := []string{
		"e1-epochs · AlexNet-quick (¼ width, 512-wide FC, 67×67, 0.54 M params; d2l's: 46.8 M) [AlexNet, batch 64, 512-wide FC, lr 0.1, 67×67 inputs, ¼ width], seed 1 — test acc 0.799, the only seed with pictures",
		"e2-28x28 · CNN-28-quick (½ width, 0.42 M params; full width: 0.87 M) [CNN-28, ½ width], seed 2 — test acc 0.878, the only seed with pictures",
		"e2-28x28 · ResNet-28-quick (⅛ width, 0.18 M params; full width: 11.2 M) [ResNet-28, batch 128, ⅛ width], seed 3 — test acc 0.812, the only seed with pictures",
		"e5-lenet · LeNet-5 (ReLU) [ReLU, average pooling, dropout 0, normalized inputs], seed 2 — test acc 0.832, the only seed with pictures",
	}
	if got := headings(a); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("headings:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var sizes [][2]int
	for _, b := range a.Blocks {
		for _, im := range b.Images {
			if _, err := png.Decode(bytes.NewReader(im.PNG)); err != nil {
				t.Errorf("%s: %v", im.Title, err)
			}
			sizes = append(sizes, [2]int{im.Width, im.Height})
		}
	}
	wantSizes := [][2]int{{552, 92}, {376, 470}, {168, 28}, {464, 580}, {224, 28}, {464, 580}, {264, 44}, {348, 580}}
	if len(sizes) != len(wantSizes) {
		t.Fatalf("sizes %v, want %v", sizes, wantSizes)
	}
	for i := range sizes {
		if sizes[i] != wantSizes[i] {
			t.Errorf("picture %d shown at %v, want %v", i, sizes[i], wantSizes[i])
		}
	}
}

// Of two seeds with pictures the better-trained one is shown, and a net at
// chance is said to have learned nothing.
func TestPicturesBestSeedAndChance(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	fixture.WriteCell(t, root, 0, fixture.Cell{Matrix: "e5-lenet", Config: fixture.QuickConfig(t, "lenet", map[string]any{"seed": 1}), Outcome: "done", Skill: 0.7, EpochSeconds: 1, Images: true})
	fixture.WriteCell(t, root, 1, fixture.Cell{Matrix: "e5-lenet", Config: fixture.QuickConfig(t, "lenet", map[string]any{"seed": 2}), Outcome: "done", Skill: 0.8, EpochSeconds: 1, Images: true})
	fixture.WriteCell(t, root, 2, fixture.Cell{Matrix: "e8-overfit", Config: fixture.QuickConfig(t, "lenet", map[string]any{"seed": 1, "activation": "sigmoid"}), Outcome: "done", Skill: 0.1, EpochSeconds: 1, Images: true})
	a := sectionAnswer(t, root, "filters")
	hs := headings(a)
	if len(hs) != 2 {
		t.Fatalf("headings %q", hs)
	}
	if !strings.Contains(hs[0], "LeNet-5, seed 2 — test acc 0.742") || !strings.HasSuffix(hs[0], "the best-trained of 2 seeds with pictures") {
		t.Errorf("best seed: %q", hs[0])
	}
	if !strings.Contains(hs[1], "(near chance: this net has not learned") {
		t.Errorf("at chance: %q", hs[1])
	}
	// The filter grid's all-black right and bottom edge is trimmed.
	for _, b := range a.Blocks {
		for _, im := range b.Images {
			if im.Title == "filters.png" && len(im.PNG) == len(fixture.PNG(t, 96, 11, 12)) {
				t.Errorf("filters.png not trimmed")
			}
		}
	}
}

func TestPicturesNone(t *testing.T) {
	a := answerOf(t, buildProfiles(t), "filters")
	if a.Status != NotMeasured || !textHas(a, "No cell saved filters.png or activations.png yet") || len(a.Blocks) != 0 {
		t.Errorf("%s %q %d blocks", a.Status, a.Text, len(a.Blocks))
	}
}

func TestDisplaySize(t *testing.T) {
	for _, c := range []struct{ w, h, ww, wh int }{{5, 5, 40, 40}, {100, 50, 300, 150}, {400, 40, 400, 40}} {
		b := make([]byte, 24)
		b[19], b[23] = byte(c.w), byte(c.h)
		if c.w > 255 {
			b[18], b[19] = byte(c.w>>8), byte(c.w)
		}
		if w, h := displaySize(b); w != c.ww || h != c.wh {
			t.Errorf("%d×%d shown at %d×%d, want %d×%d", c.w, c.h, w, h, c.ww, c.wh)
		}
	}
	if w, h := displaySize([]byte("short")); w != 0 || h != 0 {
		t.Errorf("a truncated PNG has a size: %d×%d", w, h)
	}
}
