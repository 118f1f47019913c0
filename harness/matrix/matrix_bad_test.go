package matrix

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Every file in testdata/matrices/bad starts with what its error must say:
//
//	# line: N     (0: no line can be given)
//	# key: K      (empty: a syntax error about no one key)
//	# msg: text   (a substring of the message)
func TestBadMatricesGiveOneLineNamingFileLineAndKey(t *testing.T) {
	files, err := filepath.Glob("../../testdata/matrices/bad/*.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 25 {
		t.Fatalf("want at least 25 malformed matrices, have %d", len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".toml"), func(t *testing.T) {
			want := readWant(t, file)
			m, err := Load(file)
			if err == nil {
				t.Fatalf("loaded %d quick cells, want an error", len(m.Cells(ProfileQuick)))
			}
			var me *Error
			if !errors.As(err, &me) {
				t.Fatalf("error %T %v, want *Error", err, err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines:\n%s", msg)
			}
			prefix := file + ": "
			if want.line > 0 {
				prefix = fmt.Sprintf("%s:%d: ", file, want.line)
			}
			if !strings.HasPrefix(msg, prefix) {
				t.Errorf("error %q\ndoes not start with %q", msg, prefix)
			}
			if want.key != "" && !strings.Contains(msg, fmt.Sprintf("key %q", want.key)) {
				t.Errorf("error %q\ndoes not name key %q", msg, want.key)
			}
			if !strings.Contains(msg, want.msg) {
				t.Errorf("error %q\ndoes not say %q", msg, want.msg)
			}
		})
	}
}

type wantErr struct {
	line     int
	key, msg string
}

func readWant(t *testing.T, file string) wantErr {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var w wantErr
	seen := 0
	for _, l := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(strings.TrimPrefix(l, "# "), ": ")
		if !ok || !strings.HasPrefix(l, "# ") {
			continue
		}
		switch k {
		case "line":
			w.line, err = strconv.Atoi(v)
			if err != nil {
				t.Fatalf("%s: bad line header %q", file, v)
			}
			seen++
		case "key":
			w.key = v
			seen++
		case "msg":
			w.msg = v
			seen++
		}
	}
	if seen < 3 {
		t.Fatalf("%s: want # line:, # key: and # msg: headers", file)
	}
	return w
}
