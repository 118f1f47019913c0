// Package numfmt formats numbers the way every table and report here prints
// them, so `alexbench summary`, the E4 profile and the HTML report agree.
package numfmt

import (
	"math"
	"strconv"
	"strings"
)

// Thousands writes n with comma separators: 46764746 → "46,764,746".
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + b.String()
}

// MiB writes a size in MiB rounded to a whole one: 3210.4 → "3,210 MiB".
func MiB(x float64) string { return Thousands(int64(math.Round(x))) + " MiB" }
