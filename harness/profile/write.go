package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"alexbench/internal/atomicfile"
)

// FileName is the name the report looks for, <model>-b<batch>.json, for the
// model's default input size; another size gets <model>-r<resize>-b<batch>.json,
// so it never replaces the default-size profile.
func FileName(f *File) string {
	if m, err := BuildModel(f.Model, 0); err == nil && m.Options.Resize != f.Resize {
		return fmt.Sprintf("%s-r%d-b%d.json", f.Model, f.Resize, f.Batch)
	}
	return fmt.Sprintf("%s-b%d.json", f.Model, f.Batch)
}

// Marshal is the indented JSON of f. Non-finite floats (which JSON cannot
// hold) are an error: every rate here is guarded against division by zero.
func Marshal(f *File) ([]byte, error) {
	for _, l := range f.Layers {
		for _, v := range []float64{l.Intensity, l.FwdMs, l.FwdBwdMs, l.AchievedFLOPs, l.AchievedBytesPerSec, l.FwdBwdAchievedFLOP, l.RoofFraction} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("layer %s: non-finite value %v", l.Name, v)
			}
		}
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Write writes f to dir/FileName(...) through a temp file in dir and a
// rename, so a reader sees the old profile or the whole new one. It returns
// the path.
func Write(dir string, f *File) (string, error) {
	path := filepath.Join(dir, FileName(f))
	data, err := Marshal(f)
	if err != nil {
		return "", fmt.Errorf("encoding %s: %w", path, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	if err := atomicfile.Write(path, data); err != nil {
		return "", err
	}
	return path, nil
}

// Unmarshal reads what Marshal wrote: the one reader of a profile file
// (the report's). A file with no layers is refused: nothing to show.
func Unmarshal(b []byte) (*File, error) {
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	if len(f.Layers) == 0 {
		return nil, errors.New("no layers")
	}
	classify(&f)
	return &f, nil
}
