package load

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"alexbench/harness/profile"
	"alexbench/harness/results"
)

// Results is what a results tree holds, in a fixed order.
type Results struct {
	Dir      string
	Matrices []*Matrix  // by exercise order, then name
	Profiles []*Profile // exercise 1's per-layer profiles: by model, then batch
	Problems []string   // what could not be read, each naming its file
	// Profile is the one profile the tree's cells are read from where it
	// holds several ("" when it holds one); LeftOut counts the cells of the
	// others ("12 cells of the quick profile"), left out of every matrix.
	Profile string
	LeftOut []string
}

// Matrix is one results/<matrix>/ folder.
type Matrix struct {
	Folder      string // results/<Folder>/
	Name        string // the name in matrix.json, else Folder
	Description string
	// Exercise is the d2l number the matrix answers (see Exercises), from
	// matrix.json's exercise key; "" when it answers none.
	Exercise string
	// File is the experiments/*.toml the matrix came from, when recorded.
	File   string
	record *results.MatrixRecord // results/<matrix>/matrix.json, if the runner wrote one
	Cells  []*Cell               // by label, then seed, then key
	// Axes are what the matrix varies: matrix.json's axes when recorded, else
	// the config keys whose values differ between the cells (seed included,
	// sorted), leaving out keys that only follow the model (each model's own
	// defaults, when model is an axis).
	Axes []string
}

// Profile is one results/profile/*.json file, in harness/profile's format
// (the profiler's own type: one definition, nothing to drift).
type Profile struct {
	Path string // relative to the results folder
	profile.File
}

// Load reads a results tree. Only a missing or unreadable dir is an error:
// every broken file inside is recorded as a problem and the rest still loads.
func Load(dir string) (*Results, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("results folder %s does not exist (run `alexbench run experiments/*.toml` or `make ablation` first)", dir)
		}
		return nil, fmt.Errorf("reading results folder %s: %w", dir, err)
	}
	res := &Results{Dir: dir}
	for _, e := range entries {
		name := e.Name()
		if !results.IsDirEntry(dir, e) || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		if name == "profile" {
			res.loadProfiles(filepath.Join(dir, name))
			continue
		}
		m, err := res.loadMatrix(dir, name)
		if err != nil {
			res.Problems = append(res.Problems, err.Error())
			continue
		}
		if m != nil {
			res.Matrices = append(res.Matrices, m)
		}
	}
	profiles := map[string]bool{}
	for _, m := range res.Matrices {
		for _, c := range m.Cells {
			if c.Summary != nil && c.Summary.Profile != "" {
				profiles[c.Summary.Profile] = true
			}
		}
	}
	for _, m := range res.Matrices {
		m.addPlanned(profiles)
		m.label()
		m.applyRecord()
	}
	sort.SliceStable(res.Matrices, func(i, j int) bool {
		a, b := res.Matrices[i], res.Matrices[j]
		if oa, ob := exerciseOrder(a.Exercise), exerciseOrder(b.Exercise); oa != ob {
			return oa < ob
		}
		return a.Name < b.Name
	})
	sort.Strings(res.Problems)
	res.keepOneProfile()
	return res, nil
}

// Paths in problems are relative to the results folder, so a copied tree
// reports the same.
func (res *Results) loadMatrix(root, name string) (*Matrix, error) {
	dir := filepath.Join(root, name)
	m := &Matrix{Folder: name, Name: name}
	described := res.readMatrixFiles(root, m)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	for _, e := range entries {
		if !results.IsDirEntry(dir, e) || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		cdir := filepath.Join(dir, e.Name())
		if !results.IsCellDir(cdir) {
			continue
		}
		c := loadCell(cdir, filepath.Join(name, e.Name()), e.Name())
		res.Problems = append(res.Problems, c.Problems...)
		m.Cells = append(m.Cells, c)
	}
	if len(m.Cells) == 0 && !described {
		return nil, nil // not a matrix folder
	}
	return m, nil
}

// unwrapPath drops the absolute path a *fs.PathError carries (the message
// names the file relative to the results folder already).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

func (res *Results) loadProfiles(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		res.Problems = append(res.Problems, fmt.Sprintf("profile: %v", unwrapPath(err)))
		return
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		path := filepath.Join("profile", e.Name())
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: %v", path, unwrapPath(err)))
			continue
		}
		f, err := profile.Unmarshal(data)
		if err != nil {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: %v", path, err))
			continue
		}
		p := &Profile{Path: filepath.ToSlash(path), File: *f}
		res.Profiles = append(res.Profiles, p)
	}
	sort.Slice(res.Profiles, func(i, j int) bool {
		a, b := res.Profiles[i], res.Profiles[j]
		if a.Model != b.Model {
			return a.Model < b.Model
		}
		if a.Batch != b.Batch {
			return a.Batch < b.Batch
		}
		return a.Path < b.Path
	})
}
