package matrix

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseMatrix: any input gives cells or one Error on one line, never a panic.
func FuzzParseMatrix(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/matrices/*/*.toml")
	exp, _ := filepath.Glob("../experiments/*.toml")
	for _, file := range append(files, exp...) {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		m, err := Parse("fuzz.toml", src)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T: %v", err, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		for _, p := range Profiles {
			if len(m.Cells(p)) == 0 {
				t.Fatalf("no %s cells and no error", p)
			}
		}
	})
}
