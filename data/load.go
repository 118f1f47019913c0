package data

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Split is one verified split (train or test), as the files hold it.
type Split struct {
	Images []uint8 // N×28×28 pixels, row-major, 0..255
	Labels []uint8 // N labels in 0..9
	N      int
}

// Set is the loaded dataset and where it came from.
type Set struct {
	Train, Test Split
	Dir         string
	Source      string     // "flag", "env", "local", "debian" or "download"
	Files       []FileInfo // train images, train labels, test images, test labels
}

// Load resolves the dataset (see Resolve) and loads and verifies all four files.
func Load(opts Options) (*Set, error) { return LoadContext(context.Background(), opts) }

// LoadContext is Load that stops, with an error, as soon as ctx is done: a
// signal during a slow read or download ends it promptly.
func LoadContext(ctx context.Context, opts Options) (*Set, error) {
	r := defaultResolver(opts)
	r.ctx = ctx
	loc, err := r.resolve(opts)
	if err != nil {
		return nil, err
	}
	set, err := loadDirContext(ctx, loc.Dir, fashionMNIST)
	if err != nil {
		return nil, fmt.Errorf("loading Fashion-MNIST (found via %s): %w", describeSource(loc.Source), err)
	}
	set.Source = loc.Source
	return set, nil
}

// loadDir reads the four files of splits from dir, in parallel (decompressing
// the training images is most of the time), and reports the first error in
// file order so the message does not depend on scheduling.
func loadDir(dir string, splits [2]splitSpec) (*Set, error) {
	return loadDirContext(context.Background(), dir, splits)
}

func loadDirContext(ctx context.Context, dir string, splits [2]splitSpec) (*Set, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		found := "no such directory"
		if err == nil {
			found = "a file"
		} else if !errors.Is(err, os.ErrNotExist) {
			found = err.Error()
		}
		return nil, fileErr(dir, err, "a directory holding the four Fashion-MNIST files", "%s", found)
	}
	specs := allFiles(splits)
	files := make([]*idxFile, len(specs))
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	for i, spec := range specs {
		path, err := findFile(dir, spec)
		if err != nil {
			errs[i] = err
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			files[i], errs[i] = readIDX(ctx, path, spec)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	set := &Set{Dir: dir}
	for i, dst := range []*Split{&set.Train, &set.Test} {
		images, labels := files[2*i], files[2*i+1]
		if images.N != labels.N {
			return nil, fileErr(labels.Path, nil,
				fmt.Sprintf("as many labels as %s has images (%d)", filepath.Base(images.Path), images.N), "%d labels", labels.N)
		}
		*dst = Split{Images: images.data, Labels: labels.data, N: images.N}
	}
	for _, f := range files {
		set.Files = append(set.Files, f.FileInfo)
	}
	return set, nil
}

// describeSource says how a directory was chosen, in the user's terms.
func describeSource(source string) string {
	switch source {
	case SourceFlag:
		return "--data"
	case SourceEnv:
		return "$" + EnvVar
	case SourceLocal:
		return "./" + LocalDir
	case SourceDebian:
		return "the Debian package"
	}
	return source
}
