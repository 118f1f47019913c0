package numfmt

import "testing"

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0", 7: "7", 999: "999", 1000: "1,000", 61706: "61,706", 46764746: "46,764,746",
		-1234567: "-1,234,567", -100: "-100",
	} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestMiB(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		want string
	}{{3210.4, "3,210 MiB"}, {4751.6, "4,752 MiB"}, {0.4, "0 MiB"}, {17040, "17,040 MiB"}} {
		if got := MiB(tc.x); got != tc.want {
			t.Errorf("MiB(%v) = %q, want %q", tc.x, got, tc.want)
		}
	}
}
