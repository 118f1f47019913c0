package matrix

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Error is a bad matrix file: one line, `file:line: key "k": message`.
// Line is 0 where neither TOML nor the file text tells it; Key is empty for
// syntax errors that are not about one key.
type Error struct {
	File string
	Line int
	Key  string // display path: "axes.dropout", "include[2].model", "profile.quick.epochs"
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		fmt.Fprintf(&b, "key %q: ", e.Key)
	}
	// One line, always: a message that quotes TOML may carry newlines.
	b.WriteString(strings.Join(strings.Fields(e.Msg), " "))
	return b.String()
}

// displayKey turns an index path ("include.1.model") into what a user reads
// ("include[2].model", 1-based like the order in the file).
func displayKey(path string) string {
	parts := strings.Split(path, ".")
	var b strings.Builder
	for i, p := range parts {
		if n, err := strconv.Atoi(p); err == nil && i > 0 {
			fmt.Fprintf(&b, "[%d]", n+1)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// typeErrRE matches BurntSushi/toml's decode errors, which are plain errors
// with the position only in their text.
var typeErrRE = regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key "([^"]*)"\): (.*)$`)

// decodeError turns an error from toml.Decode into a Error.
func decodeError(file string, src []byte, err error) *Error {
	if pe, ok := err.(toml.ParseError); ok {
		line := pe.Position.Line
		// The lexer counts the newline that ends an unclosed "[fixed" before
		// it reports, so its line is one late; the error's byte offset is not.
		if s := pe.Position.Start; s > 0 && s <= len(src) {
			line = 1 + strings.Count(string(src[:s]), "\n")
		}
		key := pe.LastKey
		if strings.Contains(pe.Message, "table name") || strings.Contains(pe.Message, "table array name") {
			key = "" // the last key decoded is not the header that is broken
		}
		return &Error{File: file, Line: line, Key: key, Msg: pe.Message}
	}
	msg := err.Error()
	if m := typeErrRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Key: m[2], Msg: m[3]}
	}
	return &Error{File: file, Msg: strings.TrimPrefix(msg, "toml: ")}
}
