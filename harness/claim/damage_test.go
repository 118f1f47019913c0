package claim

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A generation file that is not a claim record — a FIFO, a link to a device,
// a runaway size, a heartbeat far in the future — must neither hang nor hold
// the cell forever: Acquire answers at once, and takes the claim over once
// the file is older than the timeout, with a warning.
func TestDamagedGenerationsAreTakenOverNotWaitedOn(t *testing.T) {
	now := time.Now()
	old := now.Add(-time.Hour)
	future := Record{Gen: 1, Token: "theirs", Host: "elsewhere", PID: 1234,
		Started: now, Heartbeat: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)}
	cases := []struct {
		name  string
		make  func(path string) error
		mtime time.Time // zero: leave it
		free  bool
		warn  string
	}{
		{"FIFO, old", func(p string) error { return syscall.Mkfifo(p, 0o644) }, old, true, "damaged"},
		{"FIFO, new", func(p string) error { return syscall.Mkfifo(p, 0o644) }, now, false, ""},
		{"symlink to /dev/zero", func(p string) error { return os.Symlink("/dev/zero", p) }, time.Time{}, true, "damaged"},
		{"runaway size, old", func(p string) error { return os.WriteFile(p, make([]byte, maxGenBytes+1), 0o644) }, old, true, "damaged"},
		{"heartbeat in 2099, file old", writeRecord(future), old, true, "in the future"},
		{"heartbeat in 2099, file fresh (a live holder with a wrong clock)", writeRecord(future), now, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := genPath(dir, 1)
			if err := tc.make(path); err != nil {
				t.Fatal(err)
			}
			if !tc.mtime.IsZero() {
				if err := os.Chtimes(path, tc.mtime, tc.mtime); err != nil {
					t.Fatal(err)
				}
			} else {
				// A symlink's own mtime is when it was made: make it old.
				ts := []unix.Timespec{unix.NsecToTimespec(old.UnixNano()), unix.NsecToTimespec(old.UnixNano())}
				if err := unix.UtimesNanoAt(unix.AT_FDCWD, path, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
					t.Fatal(err)
				}
			}
			var logged strings.Builder
			opts := Options{Timeout: time.Minute, Interval: -1, Logf: func(f string, a ...any) { fmt.Fprintf(&logged, f, a...) }}
			type answer struct {
				c   *Claim
				err error
			}
			done := make(chan answer, 1)
			go func() { c, err := Acquire(dir, opts); done <- answer{c, err} }()
			var a answer
			select {
			case a = <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Acquire still blocked after 5 s")
			}
			if !tc.free {
				if !errors.Is(a.err, ErrHeld) {
					t.Fatalf("Acquire: %v, want held", a.err)
				}
				return
			}
			if a.err != nil {
				t.Fatalf("Acquire: %v, want it taken over", a.err)
			}
			defer a.c.Release()
			if a.c.TookOver == nil || a.c.Record().Gen != 2 {
				t.Errorf("took over %v, gen %d; want a takeover into generation 2", a.c.TookOver, a.c.Record().Gen)
			}
			if !strings.Contains(logged.String(), "warning: ") || !strings.Contains(logged.String(), tc.warn) {
				t.Errorf("log %q does not warn about %q", logged.String(), tc.warn)
			}
		})
	}
}

func writeRecord(r Record) func(string) error {
	return func(path string) error {
		b, err := encode(r)
		if err != nil {
			return err
		}
		return os.WriteFile(path, b, 0o644)
	}
}
