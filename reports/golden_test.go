package reports

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/real-quick.*numbers from the current report")

var (
	// dataURIRE drops embedded pictures: their base64 is bytes, not numbers.
	dataURIRE = regexp.MustCompile(`data:image/png;base64,[A-Za-z0-9+/=]+`)
	scriptRE  = regexp.MustCompile(`(?s)<script>.*?</script>`)
	chartRE   = regexp.MustCompile(`alexbench\.chart\("([^"]+)", (\{.*\})\);</script>`)
	numberRE  = regexp.MustCompile(`[-+]?[0-9][0-9,]*(\.[0-9]+)?([eE][-+]?[0-9]+)?`)
)

// textNumbers is every number the page prints (answers, tables, notes, the
// cells), in page order, one line of the page per output line (lines without
// numbers left out): a refactoring may move markup around, but it must not
// change a number.
func textNumbers(html []byte) string {
	var b strings.Builder
	text := scriptRE.ReplaceAllString(dataURIRE.ReplaceAllString(string(html), ""), "")
	for _, line := range strings.Split(text, "\n") {
		nums := numberRE.FindAllString(line, -1)
		if len(nums) > 0 {
			b.WriteString(strings.Join(nums, " "))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// chartNumbers is every number each chart plots (its series' data), one line
// per chart: how a chart is framed may change, what it plots may not.
func chartNumbers(html []byte) string {
	var b strings.Builder
	for _, m := range chartRE.FindAllSubmatch(html, -1) {
		var opt struct {
			Series []struct {
				Data any `json:"data"`
			} `json:"series"`
		}
		if err := json.Unmarshal(m[2], &opt); err != nil {
			fmt.Fprintf(&b, "%s: %v\n", m[1], err)
			continue
		}
		var nums []string
		var walk func(v any)
		walk = func(v any) {
			switch x := v.(type) {
			case float64:
				nums = append(nums, fmt.Sprint(x))
			case []any:
				for _, y := range x {
					walk(y)
				}
			case map[string]any:
				walk(x["value"])
			}
		}
		for _, s := range opt.Series {
			walk(s.Data)
		}
		fmt.Fprintf(&b, "%s: %s\n", m[1], strings.Join(nums, " "))
	}
	return b.String()
}

// TestRealQuickNumbersGolden renders the report of the real quick run and
// compares its numbers with testdata/real-quick.numbers (text) and
// testdata/real-quick.chart-numbers (plotted); go test -run Golden -update
// rewrites both, and the diff is then the change to review.
func TestRealQuickNumbersGolden(t *testing.T) {
	html := renderFixture(t, filepath.Join("testdata", "real-quick"))
	for _, g := range []struct {
		file string
		got  string
	}{
		{filepath.Join("testdata", "real-quick.numbers"), textNumbers(html)},
		{filepath.Join("testdata", "real-quick.chart-numbers"), chartNumbers(html)},
	} {
		if *updateGolden {
			if err := os.WriteFile(g.file, []byte(g.got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(g.file)
		if err != nil {
			t.Fatalf("reading the golden numbers: %v (go test ./reports -run Golden -update writes it)", err)
		}
		if g.got == string(want) {
			continue
		}
		gl, wl := strings.Split(g.got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var a, b string
			if i < len(gl) {
				a = gl[i]
			}
			if i < len(wl) {
				b = wl[i]
			}
			if a != b {
				t.Errorf("numbers differ from %s at line %d:\n got  %.300s\n want %.300s", g.file, i+1, a, b)
				break
			}
		}
	}
}
