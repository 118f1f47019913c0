package data

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"alexbench/internal/switches"
)

// Options says where to look for the dataset.
type Options struct {
	// Dir is an explicit directory (the --data flag); it wins over everything.
	Dir string
	// Fetch allows downloading the files when no copy is found.
	Fetch bool
	// BaseURL overrides where downloads come from (tests point it at a local
	// server); empty means DefaultBaseURLs.
	BaseURL string
}

// Where a dataset was found (Location.Source, Set.Source).
const (
	SourceFlag     = "flag"
	SourceEnv      = "env"
	SourceLocal    = "local"
	SourceDebian   = "debian"
	SourceDownload = "download"
)

const (
	// EnvVar names a dataset directory, like --data (read once, with the
	// other switches, by internal/switches).
	EnvVar = switches.DataDirVar
	// LocalDir is where downloads go, relative to the working directory.
	LocalDir = "data/fashion-mnist"
	// DebianDir is where Debian's dataset-fashion-mnist package installs the files.
	DebianDir = "/usr/share/datasets/fashion-mnist"
)

// DefaultBaseURLs are tried in order for downloads. The upstream README's
// table links the files on the project's S3 website, but S3 website endpoints
// serve plain HTTP only; the same files are in the upstream repository's
// data/fashion folder, served over HTTPS, so that comes first. Both are safe to
// use because every file is checked against its SHA-256 before it is kept.
var DefaultBaseURLs = []string{
	"https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
	"http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
}

// Location is a directory that holds the dataset and how it was found.
type Location struct {
	Dir    string
	Source string // SourceFlag, SourceEnv, SourceLocal, SourceDebian or SourceDownload
}

// Resolve finds the dataset, in order: opts.Dir, $EnvVar,
// ./data/fashion-mnist, /usr/share/datasets/fashion-mnist and, only when
// opts.Fetch is set, a download into ./data/fashion-mnist. An explicit
// directory (flag or environment) is returned as is, without looking further,
// so a typo in it is reported rather than silently replaced by another copy.
// Resolve only checks that the files exist; Load verifies them.
func Resolve(opts Options) (Location, error) {
	return defaultResolver(opts).resolve(opts)
}

// resolver holds everything Resolve depends on outside its options, so tests
// can point it at temporary directories and a local HTTP server.
type resolver struct {
	envDir    string // the EnvVar switch's folder ("": unset)
	localDir  string
	debianDir string
	baseURLs  []string
	client    *http.Client
	splits    [2]splitSpec
	ctx       context.Context // stops downloads; nil: never
}

func (r *resolver) context() context.Context {
	if r.ctx == nil {
		return context.Background()
	}
	return r.ctx
}

func defaultResolver(opts Options) *resolver {
	urls := DefaultBaseURLs
	if opts.BaseURL != "" {
		urls = []string{opts.BaseURL}
	}
	return &resolver{
		envDir:    switches.Current().DataDir,
		localDir:  LocalDir,
		debianDir: DebianDir,
		baseURLs:  urls,
		client:    &http.Client{Timeout: 10 * time.Minute},
		splits:    fashionMNIST,
	}
}

func (r *resolver) resolve(opts Options) (Location, error) {
	if opts.Dir != "" {
		return Location{opts.Dir, SourceFlag}, nil
	}
	if env := r.envDir; env != "" {
		return Location{env, SourceEnv}, nil
	}
	var looked []string
	for _, c := range []Location{{r.localDir, SourceLocal}, {r.debianDir, SourceDebian}} {
		missing := r.missing(c.Dir)
		if len(missing) == 0 {
			return c, nil
		}
		looked = append(looked, fmt.Sprintf("%s (missing %s)", c.Dir, strings.Join(missing, ", ")))
	}
	if opts.Fetch {
		if err := r.download(r.localDir); err != nil {
			return Location{}, err
		}
		return Location{r.localDir, SourceDownload}, nil
	}
	return Location{}, fmt.Errorf("Fashion-MNIST not found: looked in %s; "+
		"pass --data DIR, set %s, install the Debian package dataset-fashion-mnist (make data) or allow a download (--fetch)",
		strings.Join(looked, " and "), EnvVar)
}

// missing lists the names of the dataset files dir lacks.
func (r *resolver) missing(dir string) []string {
	var names []string
	for _, spec := range allFiles(r.splits) {
		if _, err := findFile(dir, spec); err != nil {
			names = append(names, spec.name)
		}
	}
	return names
}
