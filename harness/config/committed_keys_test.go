package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"alexbench/models"
)

// The committed quick tree's cells were keyed before the conv1 key existed:
// each config.toml, read back as results does (FillAbsent), still hashes to
// its folder's name, so adding a key at its legacy value renamed no result.
func TestCommittedTreeKeysAreUnchanged(t *testing.T) {
	files, err := filepath.Glob("../../reports/testdata/real-quick/*/*/config.toml")
	if err != nil || len(files) < 100 {
		t.Fatalf("%d committed cells (%v), want the quick tree's 100+", len(files), err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c Config
		if _, err := toml.Decode(string(b), &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		c.FillAbsent()
		if c.Conv1 != models.Conv1Strided {
			t.Errorf("%s: conv1 %q after FillAbsent, want strided", f, c.Conv1)
		}
		if want := filepath.Base(filepath.Dir(f)); c.Key("quick") != want {
			t.Errorf("%s: key %s, want its folder's %s", f, c.Key("quick"), want)
		}
	}
}

// conv1 enters the key only when it is not the strided form every earlier
// cell had.
func TestConv1KeyOnlyWhenSpaceToDepth(t *testing.T) {
	strided := MustDefault("alexnet")
	if strided.Conv1 != models.Conv1Strided || strings.Contains(strided.Canonical(), "conv1") {
		t.Fatalf("default conv1 %q, canonical:\n%s", strided.Conv1, strided.Canonical())
	}
	s2d := strided
	s2d.Conv1 = models.Conv1SpaceToDepth
	if s2d.Key("quick") == strided.Key("quick") || !strings.Contains(s2d.Canonical(), `conv1 = "space_to_depth"`) {
		t.Errorf("space_to_depth shares the strided key; canonical:\n%s", s2d.Canonical())
	}
	bad := strided
	bad.Conv1 = "winograd"
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "conv1") {
		t.Errorf("conv1 winograd: %v", err)
	}
}
