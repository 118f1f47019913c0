package matrix

import (
	"strings"
	"testing"
)

// A bad augment or init value in a matrix is refused with the file, the
// line and the key, before anything runs.
func TestBadAugmentAndInitNameFileLineKey(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"name = \"x\"\ndescription = \"d\"\n[fixed]\nmodel = \"lenet\"\n[axes]\naugment = [\"none\", \"rotate\"]\n",
			`bad.toml:6: key "axes.augment[2]": rotate: must be none, shift, flip or shift+flip`},
		{"name = \"x\"\ndescription = \"d\"\n[fixed]\nmodel = \"alexnet\"\ninit = \"he\"\n",
			`bad.toml:5: key "fixed.init": he: must be xavier, zeros or normal`},
	} {
		_, err := Parse("bad.toml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse: %v, want %q", err, tc.want)
		}
	}
	m, err := Parse("good.toml", []byte("name = \"x\"\ndescription = \"d\"\n[fixed]\nmodel = \"lenet\"\ninit = \"zeros\"\n[axes]\naugment = [\"none\", \"shift+flip\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cs := m.Cells(ProfileQuick); len(cs) != 2 || cs[1].Config.Augment != "shift+flip" || cs[0].Config.Init != "zeros" {
		t.Errorf("cells %+v", cs)
	}
}
