package answers

import "testing"

func TestValidUTF8(t *testing.T) {
	cases := []struct{ in, want string }{
		{"results", "results"},
		{"résultats/été", "résultats/été"},
		{"res\xffults", `res\xffults`},
		{"\xc3", `\xc3`},
		{"a\xe2\x82b", `a\xe2\x82b`},
	}
	for _, tc := range cases {
		if got := ValidUTF8(tc.in); got != tc.want {
			t.Errorf("ValidUTF8(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
