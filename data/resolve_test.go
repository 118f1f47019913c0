package data

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// testResolver looks only in temporary directories and downloads from urls.
func testResolver(t *testing.T, env string, specs [2]splitSpec, urls ...string) *resolver {
	t.Helper()
	root := t.TempDir()
	return &resolver{
		envDir:    env,
		localDir:  filepath.Join(root, "data", "fashion-mnist"),
		debianDir: filepath.Join(root, "usr", "share", "datasets", "fashion-mnist"),
		baseURLs:  urls,
		client:    http.DefaultClient,
		splits:    specs,
	}
}

func TestResolveOrder(t *testing.T) {
	ds := newTinyDataset()
	cases := []struct {
		name          string
		flag, env     string
		local, debian string // "full", "partial" or ""
		want          Location
	}{
		{name: "flag wins over everything", flag: "/x/flag", env: "/x/env", local: "full", debian: "full", want: Location{"/x/flag", SourceFlag}},
		{name: "env wins over local copies", env: "/x/env", local: "full", debian: "full", want: Location{"/x/env", SourceEnv}},
		{name: "local before debian", local: "full", debian: "full", want: Location{"<local>", SourceLocal}},
		{name: "debian when local is partial", local: "partial", debian: "full", want: Location{"<debian>", SourceDebian}},
		{name: "debian alone", debian: "full", want: Location{"<debian>", SourceDebian}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := testResolver(t, tc.env, ds.specs())
			for dir, state := range map[string]string{r.localDir: tc.local, r.debianDir: tc.debian} {
				if state == "" {
					continue
				}
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				ds.write(t, dir)
				if state == "partial" {
					os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
				}
			}
			got, err := r.resolve(Options{Dir: tc.flag})
			if err != nil {
				t.Fatalf("resolve: %v", err)
			}
			want := tc.want
			want.Dir = strings.NewReplacer("<local>", r.localDir, "<debian>", r.debianDir).Replace(want.Dir)
			if got != want {
				t.Errorf("resolve = %+v, want %+v", got, want)
			}
		})
	}
}

func TestResolveNothingFound(t *testing.T) {
	ds := newTinyDataset()
	r := testResolver(t, "", ds.specs())
	os.MkdirAll(r.localDir, 0o755)
	ds.write(t, r.localDir)
	os.Remove(filepath.Join(r.localDir, "train-labels-idx1-ubyte.gz"))
	_, err := r.resolve(Options{})
	if err == nil {
		t.Fatal("resolve succeeded with no complete copy")
	}
	for _, want := range []string{r.localDir + " (missing train-labels-idx1-ubyte)", r.debianDir + " (missing train-images-idx3-ubyte, ", "--fetch", EnvVar} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestDefaultResolverUsesBaseURL(t *testing.T) {
	if got := defaultResolver(Options{}).baseURLs; len(got) != 2 || !strings.HasPrefix(got[0], "https://") {
		t.Errorf("default base URLs = %v, want the HTTPS upstream first", got)
	}
	if got := defaultResolver(Options{BaseURL: "http://127.0.0.1:1/x/"}).baseURLs; len(got) != 1 || got[0] != "http://127.0.0.1:1/x/" {
		t.Errorf("base URLs with Options.BaseURL = %v", got)
	}
}

// server serves files by name; a name mapped to nil answers 404.
func server(t *testing.T, files map[string][]byte) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		hits.Add(1)
		b, ok := files[strings.TrimPrefix(req.URL.Path, "/fm/")]
		if !ok || b == nil {
			http.NotFound(w, req)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// gzFiles maps NAME.gz to the gzipped content of each of ds's files.
func gzFiles(t *testing.T, ds tinyDataset) map[string][]byte {
	m := map[string][]byte{}
	for name, raw := range ds.raw {
		m[name+".gz"] = gz(t, raw)
	}
	return m
}

func TestDownload(t *testing.T) {
	ds := newTinyDataset()
	good := gzFiles(t, ds)
	cases := []struct {
		name      string
		files     map[string][]byte // what the first server serves (nil: 404)
		fallback  bool              // a second server serves the good files
		wantErr   []string          // substrings of the error; none: success
		wantFiles int               // verified files left in the directory
	}{
		{name: "success", files: good, wantFiles: 4},
		{name: "falls back to the next base URL", files: map[string][]byte{}, fallback: true, wantFiles: 4},
		{
			name:      "hash mismatch leaves no file",
			files:     with(good, "t10k-images-idx3-ubyte.gz", gz(t, idxImages(imagesMagic, 3, 28, 28, 9))),
			wantErr:   []string{"/fm/t10k-images-idx3-ubyte.gz: expected SHA-256 " + sha(ds.raw["t10k-images-idx3-ubyte"])},
			wantFiles: 2, // the train files, verified before the bad one
		},
		{
			name:      "truncated download leaves no file",
			files:     with(good, "train-images-idx3-ubyte.gz", good["train-images-idx3-ubyte.gz"][:100]),
			wantErr:   []string{"/fm/train-images-idx3-ubyte.gz: expected 3920 bytes of data", "truncated"},
			wantFiles: 0,
		},
		{
			name:      "404",
			files:     with(good, "train-labels-idx1-ubyte.gz", nil),
			wantErr:   []string{"/fm/train-labels-idx1-ubyte.gz: expected HTTP 200, found HTTP 404 Not Found"},
			wantFiles: 1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := server(t, tc.files)
			urls := []string{srv.URL + "/fm/"}
			if tc.fallback {
				srv2, _ := server(t, good)
				urls = append(urls, srv2.URL+"/fm")
			}
			r := testResolver(t, "", ds.specs(), urls...)
			loc, err := r.resolve(Options{Fetch: true})
			entries, _ := os.ReadDir(r.localDir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if len(names) != tc.wantFiles {
				t.Errorf("directory holds %v, want %d verified files and nothing else", names, tc.wantFiles)
			}
			for _, n := range names {
				if strings.HasPrefix(n, ".") {
					t.Errorf("temporary file %s left behind", n)
				}
			}
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatalf("resolve succeeded, want an error with %q", tc.wantErr)
				}
				t.Log(err)
				for _, want := range tc.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q lacks %q", err, want)
					}
				}
				var fe *FileError
				if !errors.As(err, &fe) {
					t.Errorf("error is %T, want a *FileError inside", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("resolve: %v", err)
			}
			if loc != (Location{r.localDir, SourceDownload}) {
				t.Errorf("resolve = %+v, want the download dir", loc)
			}
			set, err := loadDir(loc.Dir, ds.specs())
			if err != nil {
				t.Fatalf("loading the download: %v", err)
			}
			if set.Train.N != 5 || set.Test.N != 3 {
				t.Errorf("downloaded N = %d/%d, want 5/3", set.Train.N, set.Test.N)
			}
		})
	}
}

func TestDownloadSkipsFilesAlreadyThere(t *testing.T) {
	ds := newTinyDataset()
	srv, hits := server(t, gzFiles(t, ds))
	r := testResolver(t, "", ds.specs(), srv.URL+"/fm/")
	os.MkdirAll(r.localDir, 0o755)
	ds.write(t, r.localDir)
	os.Remove(filepath.Join(r.localDir, "t10k-images-idx3-ubyte.gz"))
	if err := r.download(r.localDir); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 1 {
		t.Errorf("server got %d requests, want 1 (only the missing file)", hits.Load())
	}
}

func with(m map[string][]byte, name string, b []byte) map[string][]byte {
	c := map[string][]byte{}
	for k, v := range m {
		c[k] = v
	}
	c[name] = b
	return c
}
