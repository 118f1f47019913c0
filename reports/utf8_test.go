package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// A results folder whose name is not UTF-8 (a filesystem allows any bytes)
// is named in the page with its bad bytes escaped: the page stays valid UTF-8.
func TestReportEscapesANonUTF8FolderName(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "results-\xff\xfe")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skip("this filesystem refuses non-UTF-8 names:", err)
	}
	html := renderFixture(t, dir)
	if !utf8.Valid(html) {
		t.Fatal("the page is not valid UTF-8")
	}
	if !strings.Contains(string(html), `results-\xff\xfe`) {
		t.Error("the page does not name the folder with its bytes escaped")
	}
}
