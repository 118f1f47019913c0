package claim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"alexbench/internal/regfile"
)

// Defaults for Options.
const (
	DefaultTimeout = 2 * time.Minute
	// The heartbeat is refreshed every Timeout/HeartbeatsPerTimeout unless
	// Options.Interval says otherwise.
	HeartbeatsPerTimeout = 4
)

var (
	// ErrHeld: someone else holds the claim, and it is not stale. Acquire
	// returns a *HeldError, which matches it with errors.Is.
	ErrHeld = errors.New("claim is held")
	// ErrLost: the claim was ours but someone took it over (we were stopped
	// or cut off for longer than the timeout). Whatever we were doing under
	// it must not be published.
	ErrLost = errors.New("claim was taken over")
)

// HeldError says who holds a claim.
type HeldError struct {
	Dir    string
	Holder Record
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("claim %s is held by %s", e.Dir, e.Holder.Who())
}

func (e *HeldError) Is(target error) bool { return target == ErrHeld }

// Options tune a claim. The zero value is usable.
type Options struct {
	// Timeout: a claim whose heartbeat is older than this is stale and may be
	// taken over. 0: DefaultTimeout.
	Timeout time.Duration
	// Interval between heartbeats. 0: Timeout/HeartbeatsPerTimeout. Negative:
	// no heartbeat goroutine (the caller calls Heartbeat itself).
	Interval time.Duration
	// Note is free text stored in the claim (the cell, a Slurm job ID, …).
	Note string
	// Host overrides the host name recorded and compared (tests simulate
	// another machine with it). "": os.Hostname().
	Host string
	// Now is the clock (tests). nil: time.Now.
	Now func() time.Time
	// Logf, when set, is told about takeovers, lost claims and damaged
	// generation files.
	Logf func(format string, args ...any)
	// Pause, when set, is called at each step where a holder may stall —
	// StepRenew (Check has linked the next generation), StepHeartbeat (a
	// heartbeat found no newer generation and is about to rewrite its own) —
	// with the claim's lock held. Tests stop the process there to show that
	// a holder stalled at any step, then taken over, publishes nothing.
	Pause func(step string)
}

// Steps Options.Pause is called at.
const (
	StepRenew     = "renew"
	StepHeartbeat = "heartbeat"
)

func (o Options) pause(step string) {
	if o.Pause != nil {
		o.Pause(step)
	}
}

func (o Options) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultTimeout
}

func (o Options) interval() time.Duration {
	if o.Interval != 0 {
		return o.Interval
	}
	return o.timeout() / HeartbeatsPerTimeout
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o Options) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// Record is one generation file's content.
type Record struct {
	Gen   int    `json:"gen"`
	Token string `json:"token"` // the holder's random ID, the same across its renewals
	Host  string `json:"host"`
	PID   int    `json:"pid"`
	// PIDStart is the process's start time in clock ticks after boot
	// (/proc/PID/stat field 22), BootID the kernel's boot ID and PIDNS the
	// PID namespace: together with Host they tell whether the PID can be
	// checked here, and whether a live process with that PID is the holder.
	PIDStart  uint64     `json:"pid_start,omitempty"`
	BootID    string     `json:"boot_id,omitempty"`
	PIDNS     string     `json:"pid_ns,omitempty"`
	Started   time.Time  `json:"started"`
	Heartbeat time.Time  `json:"heartbeat"`
	Released  *time.Time `json:"released,omitempty"`
	Note      string     `json:"note,omitempty"`
	// Renews is the generation this one renewed (Check), 0 for a new claim.
	Renews int `json:"renews,omitempty"`
	// TookOver says whom this generation took the claim from, and why.
	TookOver *Takeover `json:"took_over,omitempty"`
}

// Takeover is what a takeover found: the stale generation and why it was stale.
type Takeover struct {
	Gen       int       `json:"gen"`
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	Heartbeat time.Time `json:"heartbeat"`
	Reason    string    `json:"reason"`
}

// Who is "PID 123 on host (since …, heartbeat …)".
func (r Record) Who() string {
	return fmt.Sprintf("PID %d on %s (since %s, heartbeat %s)", r.PID, r.Host,
		r.Started.UTC().Format(time.RFC3339), r.Heartbeat.UTC().Format(time.RFC3339))
}

func (t Takeover) String() string {
	return fmt.Sprintf("PID %d on %s (generation %d): %s", t.PID, t.Host, t.Gen, t.Reason)
}

// Claim is a held claim. Its methods are safe for concurrent use.
type Claim struct {
	dir  string
	opts Options
	self identity
	// TookOver is set when acquiring took over a stale claim (for the log).
	TookOver *Takeover

	mu       sync.Mutex
	rec      Record
	lost     error
	released bool
	lostCh   chan struct{}
	stop     chan struct{}
	done     chan struct{}
}

// Acquire takes the claim in dir (created if missing): it succeeds if the
// claim is free — never taken, released, or stale (see the package doc) — and
// returns a *HeldError if someone else holds it. Unless opts.Interval is
// negative, a goroutine refreshes the heartbeat until Release.
func Acquire(dir string, opts Options) (*Claim, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("claim %s: %w", dir, err)
	}
	self := currentIdentity(opts.Host)
	g, err := highestListed(dir, opts)
	if err != nil {
		return nil, err
	}
	var took *Takeover
	for {
		if g > 0 {
			prev, err := readGen(dir, g, opts)
			if err != nil {
				return nil, err
			}
			free, why := judge(prev, opts.now(), opts.timeout(), self)
			if !free {
				return nil, &HeldError{Dir: dir, Holder: prev}
			}
			took = nil
			if prev.Released == nil {
				took = &Takeover{Gen: prev.Gen, Host: prev.Host, PID: prev.PID, Heartbeat: prev.Heartbeat, Reason: why}
			}
		}
		now := opts.now()
		rec := Record{
			Gen: g + 1, Token: newToken(), Host: self.host, PID: os.Getpid(),
			PIDStart: self.pidStart, BootID: self.bootID, PIDNS: self.pidNS,
			Started: now, Heartbeat: now, Note: opts.Note, TookOver: took,
		}
		err := writeNewGen(dir, rec)
		if errors.Is(err, fs.ErrExist) {
			g++ // someone was first; judge what they wrote
			continue
		}
		if err != nil {
			return nil, err
		}
		c := &Claim{dir: dir, opts: opts, self: self, TookOver: took, rec: rec,
			lostCh: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
		if took != nil {
			opts.logf("claim %s: took over from %s\n", dir, took)
		}
		if iv := opts.interval(); iv > 0 {
			go c.beat(iv)
		} else {
			close(c.done)
		}
		return c, nil
	}
}

// judge tells whether the claim whose newest generation is r is free, and why.
func judge(r Record, now time.Time, timeout time.Duration, self identity) (bool, string) {
	if r.Released != nil {
		return true, "released"
	}
	if self.sameMachine(r) && !alive(r.PID, r.PIDStart) {
		return true, fmt.Sprintf("PID %d is no longer running on %s", r.PID, r.Host)
	}
	if age := now.Sub(r.Heartbeat); age > timeout {
		return true, fmt.Sprintf("heartbeat is %s old (timeout %s)", age.Round(time.Second), timeout)
	}
	return false, ""
}

func (c *Claim) beat(every time.Duration) {
	defer close(c.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			if err := c.Heartbeat(); errors.Is(err, ErrLost) {
				return
			}
		}
	}
}

// Dir is the claim's folder.
func (c *Claim) Dir() string { return c.dir }

// Record is the claim's current generation.
func (c *Claim) Record() Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rec
}

// Lost is closed when the claim is found taken over (by Heartbeat, the
// heartbeat goroutine, or Check): the caller should stop the work it guards.
func (c *Claim) Lost() <-chan struct{} { return c.lostCh }

// markLost records that someone else holds the claim now (c.mu held).
func (c *Claim) markLost(by string) error {
	if c.lost == nil {
		c.lost = fmt.Errorf("claim %s: %w by %s", c.dir, ErrLost, by)
		close(c.lostCh)
		c.opts.logf("%v\n", c.lost)
	}
	return c.lost
}

// newer returns the generation after ours if it exists (someone took over).
func (c *Claim) newer() (Record, bool) {
	next := genPath(c.dir, c.rec.Gen+1)
	if _, err := os.Lstat(next); err != nil {
		return Record{}, false
	}
	r, err := readGen(c.dir, c.rec.Gen+1, c.opts)
	if err != nil {
		r = Record{Gen: c.rec.Gen + 1, Host: "?"}
	}
	return r, true
}

// Heartbeat refreshes the claim's heartbeat now. It returns an error wrapping
// ErrLost if someone has taken the claim over (a check that an NFS client
// may answer from its cache for a few seconds: use Check before publishing).
func (c *Claim) Heartbeat() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lost != nil {
		return c.lost
	}
	if c.released {
		return nil
	}
	if r, ok := c.newer(); ok {
		return c.markLost(r.Who())
	}
	c.opts.pause(StepHeartbeat)
	rec := c.rec
	rec.Heartbeat = c.opts.now()
	if err := rewriteGen(c.dir, rec); err != nil {
		return err
	}
	c.rec = rec
	return nil
}

// Check makes sure, authoritatively, that the claim is still ours — call it
// right before running the work and right before publishing its result. It
// renews the claim into the next generation with an exclusive link, which
// fails if anyone has taken the claim over; then the claim is lost and Check
// returns an error wrapping ErrLost.
func (c *Claim) Check() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lost != nil {
		return c.lost
	}
	if c.released {
		return fmt.Errorf("claim %s: checked after release", c.dir)
	}
	rec := c.rec
	rec.Renews = rec.Gen
	rec.Gen++
	rec.Heartbeat = c.opts.now()
	rec.TookOver = nil
	err := writeNewGen(c.dir, rec)
	if errors.Is(err, fs.ErrExist) {
		r, _ := c.newer()
		return c.markLost(r.Who())
	}
	if err != nil {
		return err
	}
	c.rec = rec
	c.opts.pause(StepRenew)
	return nil
}

// Release gives the claim up (the next Acquire finds it free) and stops the
// heartbeat. It is idempotent; on a lost claim it writes nothing and returns
// the ErrLost error.
func (c *Claim) Release() error {
	c.mu.Lock()
	if c.released {
		c.mu.Unlock()
		return c.lost
	}
	c.released = true
	close(c.stop)
	c.mu.Unlock()
	<-c.done

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lost != nil {
		return c.lost
	}
	if r, ok := c.newer(); ok {
		return c.markLost(r.Who())
	}
	rec := c.rec
	now := c.opts.now()
	rec.Heartbeat, rec.Released = now, &now
	if err := rewriteGen(c.dir, rec); err != nil {
		return err
	}
	c.rec = rec
	return nil
}

// Current is the claim's newest generation, or nil if it was never taken.
func Current(dir string) (*Record, error) {
	h, err := History(dir)
	if err != nil || len(h) == 0 {
		return nil, err
	}
	return &h[len(h)-1], nil
}

// History is every generation of the claim in dir, oldest first (none if dir
// does not exist).
func History(dir string) ([]Record, error) {
	gens, err := listGens(dir)
	if err != nil {
		return nil, err
	}
	var out []Record
	for _, g := range gens {
		r, err := readGen(dir, g, Options{})
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Held tells whether the claim in dir is held now (not free, as Acquire would
// judge it from this process), and by whom.
func Held(dir string, opts Options) (bool, *Record, error) {
	r, err := Current(dir)
	if err != nil || r == nil {
		return false, nil, err
	}
	free, _ := judge(*r, opts.now(), opts.timeout(), currentIdentity(opts.Host))
	return !free, r, nil
}

// --- generation files ---

func genPath(dir string, g int) string { return filepath.Join(dir, strconv.Itoa(g)) }

func listGens(dir string) ([]int, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim %s: %w", dir, err)
	}
	var gens []int
	for _, e := range ents {
		if g, err := strconv.Atoi(e.Name()); err == nil && g > 0 && strconv.Itoa(g) == e.Name() {
			gens = append(gens, g)
		}
	}
	sort.Ints(gens)
	return gens, nil
}

// highestListed is where Acquire starts probing: the highest generation a
// listing shows (a stale listing only makes it probe upward from lower). It
// also removes temp files left by killed workers.
func highestListed(dir string, opts Options) (int, error) {
	gens, err := listGens(dir)
	if err != nil {
		return 0, err
	}
	cleanTemps(dir, opts)
	if len(gens) == 0 {
		return 0, nil
	}
	return gens[len(gens)-1], nil
}

const tempPrefix = ".tmp-"

// IsTemp tells whether a file name is one of this package's temp names: a
// generation file or a published file (CreateExclusive) being written, or
// one a killed process left behind.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, tempPrefix) && len(name) > len(tempPrefix)
}

// cleanTemps removes temp files older than the timeout: a live writer keeps
// one for milliseconds.
func cleanTemps(dir string, opts Options) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && opts.now().Sub(info.ModTime()) > opts.timeout() {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// maxGenBytes bounds a generation file: a record is a few hundred bytes, so
// anything larger is damage, and is never read whole into memory.
const maxGenBytes = 64 << 10

// readGen reads generation g through regfile, so a FIFO, a device or a huge
// file where a generation should be is damage, never a read that blocks or
// fills memory. A damaged generation (not a regular file, too large, not its
// JSON record) counts as held since its mtime: it is taken over once that is
// older than the timeout. So does a heartbeat further in the future than the
// timeout (a holder's clock far off, or a hand-edited file), which would
// otherwise keep the cell held forever.
func readGen(dir string, g int, opts Options) (Record, error) {
	path := genPath(dir, g)
	data, err := regfile.ReadFile(path, maxGenBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return Record{}, fmt.Errorf("reading claim %s: %w", path, err)
	}
	var r Record
	if err == nil {
		if err = json.Unmarshal(data, &r); err == nil && r.Gen != g {
			err = fmt.Errorf("it says generation %d", r.Gen)
		}
	}
	if err == nil {
		if limit := opts.now().Add(opts.timeout()); r.Heartbeat.After(limit) {
			opts.logf("warning: claim %s: generation %d's heartbeat %s is in the future; its file's age counts instead\n",
				dir, g, r.Heartbeat.UTC().Format(time.RFC3339))
			r.Heartbeat = modTime(path, limit)
		}
		return r, nil
	}
	// Files are linked in complete, so this is damage, not a write in
	// progress.
	opts.logf("warning: claim %s: generation %d is damaged (%v); its age is its heartbeat\n", dir, g, err)
	mt := modTime(path, opts.now().Add(opts.timeout()))
	return Record{Gen: g, Host: "(damaged claim file)", Started: mt, Heartbeat: mt}, nil
}

// modTime is path's own mtime (not a symlink's target's), or the zero time —
// stale at once — when it cannot be read or lies beyond limit.
func modTime(path string, limit time.Time) time.Time {
	info, err := os.Lstat(path)
	if err != nil || info.ModTime().After(limit) {
		return time.Time{}
	}
	return info.ModTime()
}

func encode(r Record) ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// writeNewGen creates generation r.Gen, failing with fs.ErrExist if it exists.
func writeNewGen(dir string, r Record) error {
	b, err := encode(r)
	if err != nil {
		return err
	}
	return CreateExclusive(genPath(dir, r.Gen), b)
}

// rewriteGen replaces our own generation file (heartbeat, release): temp file
// and rename, so readers see the old record or the new one.
func rewriteGen(dir string, r Record) error {
	b, err := encode(r)
	if err != nil {
		return err
	}
	for tries := 0; ; tries++ {
		tmp, err := writeTemp(dir, b)
		if err != nil {
			return err
		}
		err = os.Rename(tmp, genPath(dir, r.Gen))
		if err == nil {
			return nil
		}
		os.Remove(tmp)
		// The temp file is gone: we were stopped past the timeout and it
		// was cleaned as a killed writer's. Write it again.
		if _, serr := os.Lstat(tmp); errors.Is(serr, fs.ErrNotExist) && errors.Is(err, fs.ErrNotExist) && tries < 3 {
			continue
		}
		return fmt.Errorf("claim %s: %w", dir, err)
	}
}

func writeTemp(dir string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return "", fmt.Errorf("claim %s: %w", dir, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("claim %s: %w", dir, err)
	}
	return f.Name(), nil
}

// CreateExclusive creates path with data, complete, or fails with an error
// matching fs.ErrExist if path exists — on NFS too: the data goes to a temp
// file in the same folder, which is hard-linked to path (link(2) fails if the
// name exists, and is atomic on the server); if the reply to the link was
// lost, the temp file's link count of 2 says it did succeed. Publishing a
// result with it never replaces one that another runner published first.
func CreateExclusive(path string, data []byte) error {
	for tries := 0; ; tries++ {
		err := createExclusive(path, data)
		// ENOENT on the link: our temp file is gone — we were stopped longer
		// than the timeout and another process cleaned it as a killed
		// writer's. Write it again; the link still decides.
		if errors.Is(err, errTempGone) && tries < 3 {
			continue
		}
		return err
	}
}

var errTempGone = errors.New("the temp file was removed before it was linked")

func createExclusive(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := writeTemp(dir, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	lerr := os.Link(tmp, path)
	if lerr != nil {
		info, err := os.Stat(tmp)
		if err == nil && linkCount(info) == 2 {
			lerr = nil
		} else if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("creating %s: %w", path, errTempGone)
		}
	}
	if lerr != nil {
		var le *os.LinkError
		if errors.As(lerr, &le) {
			return fmt.Errorf("creating %s: %w", path, le.Err)
		}
		return fmt.Errorf("creating %s: %w", path, lerr)
	}
	return nil
}
