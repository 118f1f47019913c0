package data

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// idxImages encodes n images of rows×cols as an IDX file with the given magic;
// pixel values follow a pattern that depends on the seed, so files differ.
func idxImages(magic uint32, n, rows, cols int, seed byte) []byte {
	var b bytes.Buffer
	for _, v := range []uint32{magic, uint32(n), uint32(rows), uint32(cols)} {
		binary.Write(&b, binary.BigEndian, v)
	}
	for i := range n * rows * cols {
		b.WriteByte(byte(i*7) + seed)
	}
	return b.Bytes()
}

// idxLabels encodes labels as an IDX labels file.
func idxLabels(labels ...byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(labelsMagic))
	binary.Write(&b, binary.BigEndian, uint32(len(labels)))
	b.Write(labels)
	return b.Bytes()
}

func gz(t testing.TB, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// tinyDataset is a valid miniature Fashion-MNIST: 5 train and 3 test examples.
// raw holds each file's IDX bytes by canonical name.
type tinyDataset struct {
	raw map[string][]byte
}

func newTinyDataset() tinyDataset {
	return tinyDataset{raw: map[string][]byte{
		"train-images-idx3-ubyte": idxImages(imagesMagic, 5, 28, 28, 1),
		"train-labels-idx1-ubyte": idxLabels(0, 9, 3, 3, 7),
		"t10k-images-idx3-ubyte":  idxImages(imagesMagic, 3, 28, 28, 2),
		"t10k-labels-idx1-ubyte":  idxLabels(1, 2, 8),
	}}
}

// specs returns Fashion-MNIST's file layout with the hashes of ds's content.
func (ds tinyDataset) specs() [2]splitSpec {
	s := fashionMNIST
	for i := range s {
		s[i].images.sha256 = sha(ds.raw[s[i].images.name])
		s[i].labels.sha256 = sha(ds.raw[s[i].labels.name])
	}
	return s
}

// write stores every file in dir, gzipped as NAME.gz.
func (ds tinyDataset) write(t testing.TB, dir string) {
	t.Helper()
	for name, raw := range ds.raw {
		writeFile(t, filepath.Join(dir, name+".gz"), gz(t, raw))
	}
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
