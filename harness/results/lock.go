package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// LockFile is the lock of a results root: a flock(2) on it, which the kernel
// drops when its holder dies, so a killed holder's lock is never in the way.
const LockFile = ".alexbench.lock"

// LockMode is how a results root is locked.
type LockMode int

const (
	// Shared is what every `alexbench run` takes, with or without --shard:
	// any number of runners share a tree, and what keeps them from running a
	// cell twice or replacing a finished one is the per-cell claim
	// (harness/claim), which works across hosts. The shared lock only keeps
	// a runner and an exclusive user of the tree on one host apart.
	Shared LockMode = iota
	// Exclusive is what merge takes on its destination: no runner (on this
	// host; flock is not relied on across hosts) writes the tree meanwhile.
	// The holder's PID, host and start time are written into the file.
	Exclusive
)

// Lock is a held results lock.
type Lock struct {
	f    *os.File
	mode LockMode
	// TookOver is the PID a previous exclusive holder, no longer running,
	// left in the file (0 if none): the caller says so in its log.
	TookOver int
}

// LockResults takes root's lock (creating root if missing), or fails at once,
// naming the exclusive holder when there is one: it never waits.
func LockResults(root string, mode LockMode) (*Lock, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("creating results %s: %w", root, err)
	}
	path := filepath.Join(root, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock %s: %w", path, err)
	}
	how := syscall.LOCK_SH
	if mode == Exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		holder := readHolder(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			if mode == Exclusive {
				return nil, fmt.Errorf("results %s are in use by a running alexbench (lock %s); wait for it to finish, or use another folder", root, path)
			}
			who := "another alexbench command"
			if holder.pid > 0 && processAlive(holder.pid) {
				who = fmt.Sprintf("alexbench PID %d%s", holder.pid, holder.where())
			}
			return nil, fmt.Errorf("results %s are locked exclusively by %s (a merge; lock %s); wait for it, or use another --results", root, who, path)
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	l := &Lock{f: f, mode: mode}
	if mode == Exclusive {
		if h := readHolder(f); h.pid > 0 && h.pid != os.Getpid() && !processAlive(h.pid) {
			l.TookOver = h.pid
		}
		host, _ := os.Hostname()
		content := fmt.Sprintf("%d %s %s\n", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
		if err := f.Truncate(0); err == nil {
			f.WriteAt([]byte(content), 0)
		}
	}
	return l, nil
}

// Unlock releases the lock. The file stays (removing it would race with a
// process that has just opened it); an exclusive holder empties it first.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	if l.mode == Exclusive {
		l.f.Truncate(0)
	}
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	err := l.f.Close()
	l.f = nil
	return err
}

type holder struct {
	pid   int
	host  string
	since string
}

func (h holder) where() string {
	var parts []string
	if h.host != "" {
		parts = append(parts, "on "+h.host)
	}
	if h.since != "" {
		parts = append(parts, "since "+h.since)
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, " ")
}

func readHolder(f *os.File) holder {
	buf := make([]byte, 256)
	n, _ := f.ReadAt(buf, 0)
	fields := strings.Fields(string(buf[:n]))
	var h holder
	if len(fields) > 0 {
		h.pid, _ = strconv.Atoi(fields[0])
	}
	if len(fields) > 1 {
		h.host = fields[1]
	}
	if len(fields) > 2 {
		h.since = fields[2]
	}
	return h
}

// processAlive: signal 0 checks existence without touching the process.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
