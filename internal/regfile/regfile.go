// Package regfile opens only regular files. A FIFO, socket, device or directory
// where an input file should be is refused at open, with what was found
// instead: opening a FIFO for reading blocks until a writer appears, and
// reading one (or a character device) may never end, so a stray named pipe
// would otherwise hang `data verify`, `train`, `run` or `report` for good.
package regfile

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// NotRegularError is a path that exists but is not a regular file.
type NotRegularError struct {
	Path  string
	Found string // "a FIFO (named pipe)", "a directory", "a symlink to a socket", …
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s: expected a regular file, found %s", e.Path, e.Found)
}

// TooLargeError is a regular file bigger than its reader accepts.
type TooLargeError struct {
	Path  string
	Size  int64
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: %d bytes, more than the %d this file may have", e.Path, e.Size, e.Limit)
}

// Open opens path for reading if, after following symlinks, it is a regular
// file. The open itself never blocks: it uses O_NONBLOCK (which opening a FIFO
// needs not to wait for a writer, and which regular files ignore), and the
// file's type is checked on the open descriptor, so nothing can swap the path
// between the check and the read.
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		// A socket cannot be opened at all (ENXIO): still say what it is.
		if st, serr := os.Stat(path); serr == nil && !st.Mode().IsRegular() {
			return nil, &NotRegularError{Path: path, Found: Describe(path, st.Mode())}
		}
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, &NotRegularError{Path: path, Found: Describe(path, st.Mode())}
	}
	return f, nil
}

// ReadFile is os.ReadFile for regular files only, refusing files over limit
// bytes (limit <= 0: no limit) before reading them.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if limit > 0 && st.Size() > limit {
		return nil, &TooLargeError{Path: path, Size: st.Size(), Limit: limit}
	}
	r := io.Reader(f)
	if limit > 0 {
		// The file may grow after the Stat; never read past the limit.
		r = io.LimitReader(f, limit+1)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if limit > 0 && int64(len(b)) > limit {
		return nil, &TooLargeError{Path: path, Size: int64(len(b)), Limit: limit}
	}
	return b, nil
}

// Check tells, without opening it, whether path is a regular file: a nil
// error, a *NotRegularError, or the Stat error (fs.ErrNotExist, …).
func Check(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return &NotRegularError{Path: path, Found: Describe(path, st.Mode())}
	}
	return nil
}

// Describe names a file type in words, saying so when path is a symlink to it.
func Describe(path string, mode fs.FileMode) string {
	what := kind(mode)
	if lst, err := os.Lstat(path); err == nil && lst.Mode()&fs.ModeSymlink != 0 {
		if target, err := os.Readlink(path); err == nil {
			return fmt.Sprintf("a symlink to %s (%s)", what, target)
		}
		return "a symlink to " + what
	}
	return what
}

func kind(mode fs.FileMode) string {
	switch {
	case mode.IsDir():
		return "a directory"
	case mode&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeCharDevice != 0:
		return "a character device"
	case mode&fs.ModeDevice != 0:
		return "a block device"
	case mode&fs.ModeIrregular != 0:
		return "a file of unknown type"
	}
	return fmt.Sprintf("a non-regular file (mode %v)", mode)
}

// Reader makes every Read of r first check ctx, so a long read of a slow
// file (a network mount, a huge download) stops promptly on a signal.
func Reader(ctx context.Context, r io.Reader) io.Reader { return &ctxReader{ctx, r} }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	// Bounded chunks keep the time between checks short.
	if len(p) > 1<<20 {
		p = p[:1<<20]
	}
	return c.r.Read(p)
}
