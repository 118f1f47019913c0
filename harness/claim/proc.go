package claim

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// identity is what tells this process's machine and PID namespace apart.
type identity struct {
	host     string
	pidStart uint64
	bootID   string
	pidNS    string
}

func currentIdentity(host string) identity {
	if host == "" {
		host, _ = os.Hostname()
	}
	id := identity{host: host}
	id.pidStart, _, _ = procStat(os.Getpid())
	if b, err := os.ReadFile("/proc/sys/kernel/random/boot_id"); err == nil {
		id.bootID = strings.TrimSpace(string(b))
	}
	if ns, err := os.Readlink("/proc/self/ns/pid"); err == nil {
		id.pidNS = ns
	}
	return id
}

// sameMachine: r's PID can be looked up here. The host name alone is not
// enough: containers (Kubernetes pods, some Slurm setups) may share one with
// other PID namespaces, and a host may have rebooted since.
func (id identity) sameMachine(r Record) bool {
	return r.Host == id.host && r.BootID == id.bootID && r.PIDNS == id.pidNS
}

// alive tells whether pid runs and is the process that started at start
// (clock ticks after boot; 0: not known, any process with pid counts). A
// zombie (exited, not yet reaped) is not alive.
func alive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false // ESRCH
	}
	st, state, err := procStat(pid)
	if err != nil {
		return true // no /proc: the signal said it exists
	}
	if state == "Z" || state == "X" {
		return false
	}
	return start == 0 || st == start
}

// procStat reads a process's start time (field 22) and state (field 3) from
// /proc/PID/stat. The command name (field 2) is in parentheses and may hold
// spaces, so fields are counted after its closing parenthesis.
func procStat(pid int) (start uint64, state string, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, "", err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, "", fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return 0, "", fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	start, err = strconv.ParseUint(f[19], 10, 64)
	return start, f[0], err
}

func linkCount(info os.FileInfo) uint64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 0
}

func newToken() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b)
}
