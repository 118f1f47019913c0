package answers

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ValidUTF8 is s with every byte that is not part of valid UTF-8 written as
// \xNN: a results folder's name comes from the filesystem, which allows any
// bytes, and the page is declared UTF-8, so raw bytes would show as garbage
// (or worse, in an attribute). The escape still names the folder exactly.
func ValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
			i++
			continue
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}
