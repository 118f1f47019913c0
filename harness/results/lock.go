package results

import (
	"alexbench/harness/matrix"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// LockFile is the runner's lock in a results root. It holds the PID of the run
// that has it; the lock itself is a flock(2) on it, which the kernel drops when
// that process dies, so a killed run's lock is taken over without guessing.
const LockFile = ".alexbench.lock"

// Lock is a held results lock. An unsharded run holds LockFile exclusively; a
// shard i/n holds it shared plus LockFile.shard-i-of-n exclusively, so the
// shards of one sweep share a tree (on one machine or a shared filesystem)
// while two runs of the same shard, or a shard and a whole run, exclude each other.
type Lock struct {
	files []*os.File
	// TookOver is the PID a previous, no longer running, holder left in the
	// file (0 if none): the caller says so in its log.
	TookOver int
}

// LockResults takes the lock of results root for shard (Shard{} = everything).
func LockResults(root string, shard matrix.Shard) (*Lock, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("creating results %s: %w", root, err)
	}
	l := &Lock{}
	main := filepath.Join(root, LockFile)
	if shard.Whole() {
		if err := l.take(main, syscall.LOCK_EX, root); err != nil {
			return nil, err
		}
		return l, nil
	}
	if err := l.take(main, syscall.LOCK_SH, root); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s.shard-%d-of-%d", main, shard.I, shard.N)
	if err := l.take(name, syscall.LOCK_EX, root); err != nil {
		l.Unlock()
		return nil, err
	}
	return l, nil
}

func (l *Lock) take(path string, how int, root string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("opening lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		holder := readHolder(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := "another alexbench run"
			if holder.pid > 0 && processAlive(holder.pid) {
				who = fmt.Sprintf("alexbench PID %d%s", holder.pid, holder.where())
			}
			return fmt.Errorf("results %s are in use by %s (lock %s); wait for it, or use another --results", root, who, path)
		}
		return fmt.Errorf("locking %s: %w", path, err)
	}
	if how == syscall.LOCK_EX {
		if h := readHolder(f); h.pid > 0 && h.pid != os.Getpid() && !processAlive(h.pid) {
			l.TookOver = h.pid
		}
		host, _ := os.Hostname()
		content := fmt.Sprintf("%d %s %s\n", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
		if err := f.Truncate(0); err == nil {
			f.WriteAt([]byte(content), 0)
		}
	}
	l.files = append(l.files, f)
	return nil
}

// Unlock releases the lock. The file stays (removing it would race with a
// runner that has just opened it); its PID is stale from now on.
func (l *Lock) Unlock() error {
	var first error
	for i := len(l.files) - 1; i >= 0; i-- {
		f := l.files[i]
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	l.files = nil
	return first
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
