package data

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadDirReadsGzipAndRawByContent(t *testing.T) {
	ds := newTinyDataset()
	dir := t.TempDir()
	// Gzipped content under the raw name, raw content under the .gz name, and
	// the two usual cases: detection must go by magic bytes, not names.
	writeFile(t, filepath.Join(dir, "train-images-idx3-ubyte"), gz(t, ds.raw["train-images-idx3-ubyte"]))
	writeFile(t, filepath.Join(dir, "train-labels-idx1-ubyte.gz"), ds.raw["train-labels-idx1-ubyte"])
	writeFile(t, filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), gz(t, ds.raw["t10k-images-idx3-ubyte"]))
	writeFile(t, filepath.Join(dir, "t10k-labels-idx1-ubyte"), ds.raw["t10k-labels-idx1-ubyte"])

	set, err := loadDir(dir, ds.specs())
	if err != nil {
		t.Fatalf("loadDir: %v", err)
	}
	if set.Train.N != 5 || set.Test.N != 3 {
		t.Fatalf("N = %d/%d, want 5/3", set.Train.N, set.Test.N)
	}
	if got := string(set.Train.Labels); got != "\x00\x09\x03\x03\x07" {
		t.Errorf("train labels = %q", got)
	}
	wantPixels := ds.raw["t10k-images-idx3-ubyte"][16:]
	if string(set.Test.Images) != string(wantPixels) {
		t.Errorf("test images differ from the file's payload")
	}
	wantGz := []bool{true, false, true, false}
	for i, f := range set.Files {
		if f.Gzipped != wantGz[i] {
			t.Errorf("%s: Gzipped = %v, want %v", f.Path, f.Gzipped, wantGz[i])
		}
		st, _ := os.Stat(f.Path)
		if f.Size != st.Size() {
			t.Errorf("%s: Size = %d, want %d", f.Path, f.Size, st.Size())
		}
	}
	// Labels 0 9 3 3 7: two of five keep class 3's share (0.8, the largest
	// remainder) and class 0's (0.4, the lowest of the tied classes).
	if h := set.Train.Subset(2); h.N != 2 || len(h.Images) != 2*28*28 || string(h.Labels) != "\x00\x03" {
		t.Errorf("Subset(2) = N %d, %d pixels, labels %q", h.N, len(h.Images), h.Labels)
	}
	if h := set.Train.Subset(0); h.N != 5 {
		t.Errorf("Subset(0).N = %d, want all 5", h.N)
	}
	if h := set.Train.Subset(99); h.N != 5 {
		t.Errorf("Subset(99).N = %d, want all 5", h.N)
	}
}

// TestBadFilesGiveOneClearError writes real malformed files and checks that
// each gives a *FileError naming the file, what was expected and what was found.
func TestBadFilesGiveOneClearError(t *testing.T) {
	const (
		trainImages = "train-images-idx3-ubyte"
		trainLabels = "train-labels-idx1-ubyte"
		testLabels  = "t10k-labels-idx1-ubyte"
	)
	cases := []struct {
		name string
		// prepare writes the broken dataset into dir; it starts from a valid one.
		prepare func(t *testing.T, ds tinyDataset, dir string)
		// realHashes checks against Fashion-MNIST's hashes instead of the tiny
		// dataset's; rehash recomputes the tiny hashes after prepare.
		realHashes, rehash bool
		file               string // the file the error must name
		expected, found    string // substrings of FileError.Expected / Found
	}{
		{
			name: "truncated gz",
			prepare: func(t *testing.T, ds tinyDataset, dir string) {
				b := gz(t, ds.raw[trainImages])
				writeFile(t, filepath.Join(dir, trainImages+".gz"), b[:len(b)/2])
			},
			file: trainImages + ".gz", expected: "3920 bytes of data after the 16-byte header (5 images of 28×28)", found: "truncated",
		},
		{
			name: "gz missing its trailer",
			prepare: func(t *testing.T, ds tinyDataset, dir string) {
				b := gz(t, ds.raw[trainImages])
				writeFile(t, filepath.Join(dir, trainImages+".gz"), b[:len(b)-4])
			},
			file: trainImages + ".gz", expected: "a complete gzip stream", found: "truncated",
		},
		{
			name: "truncated raw",
			prepare: func(t *testing.T, ds tinyDataset, dir string) {
				os.Remove(filepath.Join(dir, trainImages+".gz"))
				b := ds.raw[trainImages]
				writeFile(t, filepath.Join(dir, trainImages), b[:len(b)-100])
			},
			file: trainImages, expected: "3920 bytes of data", found: "only 3820",
		},
		{
			name: "wrong magic",
			prepare: func(t *testing.T, ds tinyDataset, dir string) {
				b := idxImages(0x12345678, 5, 28, 28, 1)
				writeFile(t, filepath.Join(dir, trainImages+".gz"), gz(t, b))
			},
			file: trainImages + ".gz", expected: "IDX magic 2051", found: "305419896 (0x12345678): not an IDX file",
		},
		{
			name: "labels file where images belong (rank)",
			prepare: func(t *testing.T, ds tinyDataset, dir string) {
				writeFile(t, filepath.Join(dir, trainImages+".gz"), gz(t, ds.raw[trainLabels]))
			},
			file: trainImages + ".gz", expected: "IDX magic 2051", found: "rank 1 (magic 2049: a labels file?)",
		},
		{
			name: "wrong data type",
			prepare: func(t *testing.T, ds tinyDataset, dir string) {
				b := idxImages(0x00000d03, 5, 28, 28, 1) // 0x0d: float32
				writeFile(t, filepath.Join(dir, trainImages+".gz"), gz(t, b))
			},
			file: trainImages + ".gz", expected: "data type 0x08", found: "data type 0x0d",
		},
		{
			name: "wrong dims",
			prepare: func(t *testing.T, ds tinyDataset, dir string) {
				writeFile(t, filepath.Join(dir, trainImages+".gz"), gz(t, idxImages(imagesMagic, 5, 32, 32, 1)))
			},
			file: trainImages + ".gz", expected: "28×28 images", found: "32×32",
		},
		{
			name: "absurd count in header",
			prepare: func(t *testing.T, ds tinyDataset, dir string) {
				b := append([]byte(nil), ds.raw[trainImages]...)
				copy(b[4:8], []byte{0xff, 0xff, 0xff, 0xff})
				writeFile(t, filepath.Join(dir, trainImages+".gz"), gz(t, b))
			},
			file: trainImages + ".gz", expected: "at most 1048576 examples", found: "4294967295",
		},
		{
			name: "header cut short",
			prepare: func(t *testing.T, ds tinyDataset, dir string) {
				writeFile(t, filepath.Join(dir, trainImages+".gz"), gz(t, ds.raw[trainImages][:10]))
			},
			file: trainImages + ".gz", expected: "3 dimension sizes", found: "only 6",
		},
		{
			name: "empty file",
			prepare: func(t *testing.T, ds tinyDataset, dir string) {
				writeFile(t, filepath.Join(dir, testLabels+".gz"), nil)
			},
			file: testLabels + ".gz", expected: "an IDX file", found: "an empty file",
		},
		{
			name: "trailing bytes",
			prepare: func(t *testing.T, ds tinyDataset, dir string) {
				b := append(append([]byte(nil), ds.raw[trainLabels]...), 0, 0)
				writeFile(t, filepath.Join(dir, trainLabels+".gz"), gz(t, b))
			},
			file: trainLabels + ".gz", expected: "to end after 13 bytes", found: "more bytes",
		},
		{
			name: "count mismatch images vs labels",
			prepare: func(t *testing.T, ds tinyDataset, dir string) {
				ds.raw[trainLabels] = idxLabels(0, 1, 2, 3)
				writeFile(t, filepath.Join(dir, trainLabels+".gz"), gz(t, ds.raw[trainLabels]))
			},
			rehash: true,
			file:   trainLabels + ".gz", expected: "as many labels as", found: "4 labels",
		},
		{
			name: "label 10",
			prepare: func(t *testing.T, ds tinyDataset, dir string) {
				writeFile(t, filepath.Join(dir, trainLabels+".gz"), gz(t, idxLabels(0, 1, 10, 3, 4)))
			},
			file: trainLabels + ".gz", expected: "labels in 0..9", found: "label 10 at index 2",
		},
		{
			name:       "wrong hash",
			prepare:    func(t *testing.T, ds tinyDataset, dir string) {},
			realHashes: true,
			file:       trainImages + ".gz",
			expected:   "SHA-256 c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888 of the decompressed",
			found:      sha(newTinyDataset().raw[trainImages]),
		},
		{
			name: "missing file",
			prepare: func(t *testing.T, ds tinyDataset, dir string) {
				os.Remove(filepath.Join(dir, testLabels+".gz"))
			},
			file: testLabels + ".gz", expected: "or t10k-labels-idx1-ubyte without .gz", found: "neither in",
		},
		{
			name:    "missing directory",
			prepare: func(t *testing.T, ds tinyDataset, dir string) { os.RemoveAll(dir) },
			file:    "", expected: "a directory holding the four Fashion-MNIST files", found: "no such directory",
		},
		{
			name: "corrupt gzip stream",
			prepare: func(t *testing.T, ds tinyDataset, dir string) {
				b := gz(t, ds.raw[trainImages])
				b[10] = 0xff // first deflate block: block type 3, which is reserved
				writeFile(t, filepath.Join(dir, trainImages+".gz"), b)
			},
			file: trainImages + ".gz", expected: "a valid gzip stream", found: "corrupt data",
		},
		{
			name: "gzip CRC mismatch",
			prepare: func(t *testing.T, ds tinyDataset, dir string) {
				b := gz(t, ds.raw[trainImages])
				b[len(b)-8] ^= 0xff // first byte of the CRC-32 in the trailer
				writeFile(t, filepath.Join(dir, trainImages+".gz"), b)
			},
			file: trainImages + ".gz", expected: "CRC-32", found: "mismatch",
		},
		{
			name: "bad gzip header",
			prepare: func(t *testing.T, ds tinyDataset, dir string) {
				b := gz(t, ds.raw[trainImages])
				b[2] = 0x07 // compression method: only 8 (deflate) exists
				writeFile(t, filepath.Join(dir, trainImages+".gz"), b)
			},
			file: trainImages + ".gz", expected: "a valid gzip header", found: "invalid header",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ds := newTinyDataset()
			dir := t.TempDir()
			ds.write(t, dir)
			specs := ds.specs()
			tc.prepare(t, ds, dir)
			if tc.rehash {
				specs = ds.specs()
			}
			if tc.realHashes {
				specs = fashionMNIST
			}
			set, err := loadDir(dir, specs)
			if err == nil {
				t.Fatalf("loadDir succeeded (train N=%d), want an error", set.Train.N)
			}
			t.Log(err)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %q is a %T, want a *FileError", err, err)
			}
			if want := filepath.Join(dir, tc.file); fe.Path != want {
				t.Errorf("error names %q, want %q (error: %v)", fe.Path, want, err)
			}
			if !strings.Contains(fe.Expected, tc.expected) {
				t.Errorf("Expected = %q, want it to contain %q", fe.Expected, tc.expected)
			}
			if !strings.Contains(fe.Found, tc.found) {
				t.Errorf("Found = %q, want it to contain %q", fe.Found, tc.found)
			}
			msg := err.Error()
			for _, s := range []string{fe.Path, "expected " + fe.Expected, "found " + fe.Found} {
				if !strings.Contains(msg, s) {
					t.Errorf("message %q lacks %q", msg, s)
				}
			}
		})
	}
}
