package matrix

import "testing"

func TestIndexLinesFindsKeysTablesAndElements(t *testing.T) {
	src := `# comment with = and [brackets]
name = "a # not a comment" # comment
description = """
multi = line
[not.a.table]
"""
"quoted.key" = 1
dotted.key = 'lit#eral'

[axes]
lr = [ 0.1,
  0.2, # second
  0.3 ]
pool = ["max", "avg"]

[[include]]
model = "lenet"

[[include]]
width = 0.5

include2 = [ {a = 1}, { b = "}" },
  {c = 3} ]

[profile.quick]
resize = [96]

[[profile.quick.include]]
width = 0.25
`
	ix := indexLines(src)
	tests := []struct {
		path string
		line int
	}{
		{"name", 2},
		{"description", 3},
		{"quoted.key", 7},
		{"dotted.key", 8},
		{"axes", 10},
		{"axes.lr", 11},
		{"axes.lr.0", 11},
		{"axes.lr.1", 12},
		{"axes.lr.2", 13},
		{"axes.pool.1", 14},
		{"include.0", 16},
		{"include.0.model", 17},
		{"include.1", 19},
		{"include.1.width", 20},
		{"include.1.include2.1.b", 22},
		{"include.1.include2.2.c", 23},
		{"profile.quick.resize", 26},
		{"profile.quick.include.0.width", 29},
		{"not.a.table", 0},
		{"axes.nothing", 10}, // falls back to the nearest ancestor
	}
	for _, tt := range tests {
		if got := ix.line(tt.path); got != tt.line {
			t.Errorf("line(%q) = %d, want %d", tt.path, got, tt.line)
		}
	}
}

func TestDisplayKey(t *testing.T) {
	for in, want := range map[string]string{
		"axes.lr":                       "axes.lr",
		"axes.lr.2":                     "axes.lr[3]",
		"include.0.model":               "include[1].model",
		"profile.quick.include.1.width": "profile.quick.include[2].width",
	} {
		if got := displayKey(in); got != want {
			t.Errorf("displayKey(%q) = %q, want %q", in, got, want)
		}
	}
}
