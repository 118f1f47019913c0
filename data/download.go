package data

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"alexbench/internal/regfile"
)

// maxDownloadBytes bounds one download, so a wrong URL serving something huge
// cannot fill the disk (the largest real file is 26 MB gzipped).
const maxDownloadBytes = 64 << 20

// download fetches the files dir lacks, each from the first base URL that
// serves a verified copy, and stores them as NAME.gz.
func (r *resolver) download(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s for the download: %w", dir, err)
	}
	for _, spec := range allFiles(r.splits) {
		if _, err := findFile(dir, spec); err == nil {
			continue
		}
		var errs []error
		for _, base := range r.baseURLs {
			err := r.fetchFile(base, dir, spec)
			if err == nil {
				errs = nil
				break
			}
			errs = append(errs, err)
		}
		if len(errs) > 0 {
			return fmt.Errorf("downloading Fashion-MNIST into %s: %w", dir, errors.Join(errs...))
		}
	}
	return nil
}

// fetchFile downloads one file into a temporary file in dir, verifies it like
// any other copy, and only then renames it into place; on any failure the
// temporary file is removed, so no half-written or unverified file is left.
func (r *resolver) fetchFile(base, dir string, spec fileSpec) (err error) {
	url := strings.TrimSuffix(base, "/") + "/" + spec.name + ".gz"
	req, err := http.NewRequestWithContext(r.context(), http.MethodGet, url, nil)
	if err != nil {
		return fileErr(url, err, "a valid URL", "%v", err)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return fileErr(url, err, "a response", "%v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fileErr(url, nil, "HTTP 200", "HTTP %s", resp.Status)
	}

	final := filepath.Join(dir, spec.name+".gz")
	tmp, err := os.CreateTemp(dir, "."+spec.name+".gz.download-*")
	if err != nil {
		return fmt.Errorf("creating a temporary file for %s: %w", final, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	n, err := io.Copy(tmp, io.LimitReader(regfile.Reader(r.context(), resp.Body), maxDownloadBytes+1))
	if err != nil {
		return fileErr(url, err, "the whole body", "an error after %d bytes: %v", n, err)
	}
	if n > maxDownloadBytes {
		return fileErr(url, nil, fmt.Sprintf("at most %d bytes", maxDownloadBytes), "more")
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if _, err = tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rereading %s: %w", tmp.Name(), err)
	}
	if _, err = parseIDX(tmp, url, spec); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err = os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("moving the verified download into place: %w", err)
	}
	return nil
}
