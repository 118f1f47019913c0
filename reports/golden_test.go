package reports

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/real-quick.numbers from the current report")

var (
	// dataURIRE drops embedded pictures: their base64 is bytes, not numbers.
	dataURIRE = regexp.MustCompile(`data:image/png;base64,[A-Za-z0-9+/=]+`)
	numberRE  = regexp.MustCompile(`[-+]?[0-9][0-9,]*(\.[0-9]+)?([eE][-+]?[0-9]+)?`)
)

// reportNumbers is every number the page shows or charts, in page order, one
// line of the page per output line (lines without numbers left out): a
// refactoring may move markup around, but it must not change a number.
func reportNumbers(html []byte) string {
	var b strings.Builder
	for _, line := range strings.Split(dataURIRE.ReplaceAllString(string(html), ""), "\n") {
		nums := numberRE.FindAllString(line, -1)
		if len(nums) > 0 {
			b.WriteString(strings.Join(nums, " "))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// TestRealQuickNumbersGolden renders the report of the real quick run and
// compares its numbers with testdata/real-quick.numbers (go test -run
// Golden -update rewrites it; the diff is then the change to review).
func TestRealQuickNumbersGolden(t *testing.T) {
	got := reportNumbers(renderFixture(t, filepath.Join("testdata", "real-quick")))
	golden := filepath.Join("testdata", "real-quick.numbers")
	if *updateGolden {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("reading the golden numbers: %v (go test ./reports -run Golden -update writes it)", err)
	}
	if got == string(want) {
		return
	}
	g, w := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Fatalf("numbers differ from %s at line %d:\n got  %.300s\n want %.300s", golden, i+1, gl, wl)
		}
	}
}
