package data

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"alexbench/internal/regfile"
)

// idxFile is one verified IDX file.
type idxFile struct {
	FileInfo
	data []uint8 // the payload after the header: N×28×28 pixels or N labels
}

// FileInfo describes one dataset file as found on disk.
type FileInfo struct {
	Path    string // where it was read from
	Size    int64  // bytes on disk (compressed size for .gz)
	Gzipped bool   // detected from the gzip magic bytes, not the name
	SHA256  string // hex SHA-256 of the decompressed IDX bytes; equals the expected one
	N       int    // number of examples
}

// findFile returns the path of spec's file in dir: NAME.gz if present, else
// NAME. Present means anything by that name: a FIFO or a directory there is
// found, and readIDX then says what it is rather than looking further.
func findFile(dir string, spec fileSpec) (string, error) {
	gz := filepath.Join(dir, spec.name+".gz")
	raw := filepath.Join(dir, spec.name)
	for _, p := range []string{gz, raw} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fileErr(p, err, "a readable file", "%v", err)
		}
	}
	return "", fileErr(gz, os.ErrNotExist,
		fmt.Sprintf("the file (or %s without .gz)", spec.name), "neither in %s", dir)
}

// readIDX reads and verifies the IDX file at path against spec. Only a
// regular file is opened (a FIFO there would block the open, and a device the
// read, for good), and every read checks ctx, so a signal stops a slow one.
func readIDX(ctx context.Context, path string, spec fileSpec) (*idxFile, error) {
	f, err := regfile.Open(path)
	if err != nil {
		var nr *regfile.NotRegularError
		if errors.As(err, &nr) {
			return nil, fileErr(path, err, "a regular file", "%s", nr.Found)
		}
		return nil, fileErr(path, err, "a readable file", "%v", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fileErr(path, err, "a readable file", "%v", err)
	}
	idx, err := parseIDX(regfile.Reader(ctx, f), path, spec)
	if err != nil {
		return nil, err
	}
	idx.Size = st.Size()
	return idx, nil
}

// parseIDX decodes an IDX stream (gzipped or raw) and checks it against spec:
// magic, data type, rank, 28×28, length, no trailing bytes, labels in 0..9 and
// finally the SHA-256 of the decompressed bytes (if spec has one). name is what
// errors call the stream: a path or a URL.
func parseIDX(r io.Reader, name string, spec fileSpec) (*idxFile, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	magic2, err := br.Peek(2)
	if len(magic2) == 0 {
		if !errors.Is(err, io.EOF) {
			return nil, fileErr(name, err, "a readable file", "%v", err)
		}
		return nil, fileErr(name, err, "an IDX file (gzipped or raw)", "an empty file")
	}
	var src io.Reader = br
	gzipped := len(magic2) == 2 && magic2[0] == 0x1f && magic2[1] == 0x8b
	if gzipped {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fileErr(name, err, "a valid gzip header", "%v", err)
		}
		src = zr
	}
	h := sha256.New()
	rd := &idxReader{r: io.TeeReader(src, h), name: name, gzipped: gzipped}

	ndims, n, err := rd.header(spec.kind)
	if err != nil {
		return nil, err
	}
	payload := n
	what := fmt.Sprintf("%d labels", n)
	if spec.kind == imagesKind {
		payload = n * Height * Width
		what = fmt.Sprintf("%d images of %d×%d", n, Height, Width)
	}
	data := make([]uint8, payload)
	if err := rd.full(data, fmt.Sprintf("%d bytes of data after the %d-byte header (%s)", payload, 4+4*ndims, what)); err != nil {
		return nil, err
	}
	if err := rd.atEOF(4 + 4*ndims + payload); err != nil {
		return nil, err
	}
	if spec.kind == labelsKind {
		for i, l := range data {
			if l >= NumClasses {
				return nil, fileErr(name, nil, fmt.Sprintf("labels in 0..%d", NumClasses-1), "label %d at index %d", l, i)
			}
		}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if spec.sha256 != "" && sum != spec.sha256 {
		return nil, fileErr(name, nil,
			fmt.Sprintf("SHA-256 %s of the decompressed IDX bytes (the upstream %s)", spec.sha256, spec.name),
			"%s (the file is not the official one, or was altered)", sum)
	}
	return &idxFile{FileInfo: FileInfo{Path: name, Gzipped: gzipped, SHA256: sum, N: n}, data: data}, nil
}

// idxReader reads the decompressed stream, turning short reads and gzip
// failures into FileErrors that say what was expected.
type idxReader struct {
	r       io.Reader
	name    string
	gzipped bool
	read    int // decompressed bytes read so far
}

// full reads exactly len(buf) bytes; expected describes them for the error.
func (rd *idxReader) full(buf []byte, expected string) error {
	n, err := io.ReadFull(rd.r, buf)
	rd.read += n
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		where := "the file ends after %d bytes: truncated?"
		if rd.gzipped {
			where = "the gzip stream ends after %d decompressed bytes: truncated?"
		}
		return fileErr(rd.name, err, expected, "only %d ("+where+")", n, rd.read)
	}
	return rd.streamErr(err)
}

// atEOF checks that nothing follows the payload. For gzip, reaching EOF is also
// what makes the reader check the CRC-32 and length in the trailer.
func (rd *idxReader) atEOF(size int) error {
	var one [1]byte
	n, err := io.ReadFull(rd.r, one[:])
	if n > 0 {
		return fileErr(rd.name, nil, fmt.Sprintf("the IDX data to end after %d bytes, as its header says", size), "more bytes after that")
	}
	if errors.Is(err, io.EOF) {
		return nil
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fileErr(rd.name, err, "a complete gzip stream", "it cut short after %d decompressed bytes (truncated file)", rd.read)
	}
	return rd.streamErr(err)
}

func (rd *idxReader) streamErr(err error) error {
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fileErr(rd.name, err, "the whole file", "reading stopped after %d bytes: %v", rd.read, err)
	case errors.Is(err, gzip.ErrChecksum):
		return fileErr(rd.name, err, "the gzip CRC-32 and length in the trailer to match the data", "a mismatch (corrupt file)")
	case errors.As(err, &corrupt), errors.Is(err, gzip.ErrHeader):
		return fileErr(rd.name, err, "a valid gzip stream", "corrupt data after %d decompressed bytes: %v", rd.read, err)
	}
	return fileErr(rd.name, err, "a readable file", "read error after %d bytes: %v", rd.read, err)
}

// header reads and checks the magic number and dimensions; it returns the rank
// and the example count.
func (rd *idxReader) header(k kind) (rank, n int, err error) {
	wantMagic, wantRank, what := imagesMagic, 3, "images"
	if k == labelsKind {
		wantMagic, wantRank, what = labelsMagic, 1, "labels"
	}
	var m [4]byte
	if err := rd.full(m[:], "a 4-byte IDX magic number"); err != nil {
		return 0, 0, err
	}
	magic := binary.BigEndian.Uint32(m[:])
	expMagic := fmt.Sprintf("IDX magic %d (0x%08x: unsigned bytes, rank %d, %s)", wantMagic, wantMagic, wantRank, what)
	switch {
	case m[0] != 0 || m[1] != 0:
		return 0, 0, fileErr(rd.name, nil, expMagic, "%d (0x%08x): not an IDX file", magic, magic)
	case m[2] != 0x08:
		return 0, 0, fileErr(rd.name, nil, expMagic+" with data type 0x08", "data type 0x%02x (magic %d)", m[2], magic)
	case int(m[3]) != wantRank:
		hint := ""
		if int(m[3]) == 1 && k == imagesKind {
			hint = ": a labels file?"
		} else if int(m[3]) == 3 && k == labelsKind {
			hint = ": an images file?"
		}
		return 0, 0, fileErr(rd.name, nil, expMagic, "rank %d (magic %d%s)", m[3], magic, hint)
	}
	dims := make([]byte, 4*wantRank)
	if err := rd.full(dims, fmt.Sprintf("%d dimension sizes (%d bytes) after the magic", wantRank, len(dims))); err != nil {
		return 0, 0, err
	}
	d := make([]uint32, wantRank)
	for i := range d {
		d[i] = binary.BigEndian.Uint32(dims[4*i:])
	}
	if d[0] > maxExamples {
		return 0, 0, fileErr(rd.name, nil, fmt.Sprintf("at most %d examples", maxExamples), "a header count of %d", d[0])
	}
	if k == imagesKind && (d[1] != Height || d[2] != Width) {
		return 0, 0, fileErr(rd.name, nil, fmt.Sprintf("%d×%d images", Height, Width), "%d×%d", d[1], d[2])
	}
	return wantRank, int(d[0]), nil
}
