package fastcpu

import (
	"testing"

	"github.com/gomlx/gomlx/backends"
)

// otherBackend is any backend that is not SimpleGo.
type otherBackend struct{ backends.Backend }

// RunsOn answers for SimpleGo, wrapped or not, and for nothing else.
func TestRunsOn(t *testing.T) {
	be := newBackend(t)
	for _, tc := range []struct {
		name string
		be   backends.Backend
		want bool
	}{
		{"SimpleGo", be, true},
		{"wrapped SimpleGo", Wrap(be), true},
		{"another backend", otherBackend{be}, false},
		{"nil", nil, false},
	} {
		if got := RunsOn(tc.be); got != tc.want {
			t.Errorf("%s: RunsOn = %v, want %v", tc.name, got, tc.want)
		}
	}
}
