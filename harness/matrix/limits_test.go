package matrix

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// A matrix of 10^6 [[include]] entries used to be decoded whole (gigabytes)
// before the cell count refused it, with no line. It is now refused from one
// pass over the bytes: by size when the file is over the limit, and by count,
// at the first entry past the limit, when the entries are small enough to fit.
func TestHugeMatricesAreRefusedBeforeDecoding(t *testing.T) {
	head := "name = \"x\"\ndescription = \"x\"\n[fixed]\nmodel = \"lenet\"\n"
	entry := "[[include]]\nlr = 0.1\n" // two lines each
	cases := []struct {
		name     string
		entries  int
		wantLine int
		wantMsg  string
		wantKey  string
	}{
		{"a million entries", 1_000_000, sizeLimitLine(len(head), 4, len(entry)), "a matrix file may have at most", ""},
		{"one entry too many", maxTableEntries + 1, 4 + 2*maxTableEntries + 1, "more than 10000 [[include]] entries", "include"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := []byte(head + strings.Repeat(entry, tc.entries))
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Parse("huge.toml", src)
			runtime.ReadMemStats(&after)
			var me *Error
			if !errors.As(err, &me) {
				t.Fatalf("Parse = %v, want a *Error", err)
			}
			if me.Line != tc.wantLine || me.Key != tc.wantKey || !strings.Contains(me.Msg, tc.wantMsg) {
				t.Errorf("error %q (line %d, key %q), want line %d, key %q, %q", err, me.Line, me.Key, tc.wantLine, tc.wantKey, tc.wantMsg)
			}
			// Cheap means no decoding: far less allocated than the file's size
			// (decoding allocates hundreds of bytes per entry).
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(len(src))/4+64<<10 {
				t.Errorf("refusing a %d-byte file allocated %d bytes: it was decoded", len(src), alloc)
			}
		})
	}
	// The largest allowed count still loads (and then fails for its own reason:
	// 10000 identical entries resolve to the same config).
	src := head + "[axes]\nlr = [0.1, 0.2]\n" + strings.Repeat(entry, 3)
	if _, err := Parse("ok.toml", []byte(src)); err != nil {
		t.Fatalf("three entries: %v", err)
	}
}

// Load refuses a file over the limit by its size, before reading it.
func TestLoadRefusesAnOversizedFileBySize(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.toml")
	if err := os.WriteFile(p, make([]byte, maxFileBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	if want := fmt.Sprintf("%s: %d bytes: a matrix file may have at most %d", p, maxFileBytes+1, maxFileBytes); err == nil || err.Error() != want {
		t.Fatalf("Load = %v, want %q", err, want)
	}
}

// sizeLimitLine is the line holding byte maxFileBytes of a file of headLines
// lines (headBytes long) followed by entries of "[[include]]\n" and "lr = 0.1\n".
func sizeLimitLine(headBytes, headLines, entryBytes int) int {
	full, rem := (maxFileBytes-headBytes)/entryBytes, (maxFileBytes-headBytes)%entryBytes
	line := headLines + 2*full + 1 // the entry the limit falls in starts here
	if rem >= len("[[include]]\n") {
		line++
	}
	return line
}

// A FIFO named as a matrix is refused at open (a plain read would wait for a
// writer forever), and the error says what it is.
func TestLoadRefusesAFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pipe.toml")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	if err == nil || !strings.Contains(err.Error(), p+": expected a regular file, found a FIFO (named pipe)") {
		t.Fatalf("Load(FIFO) = %v", err)
	}
}
