package data

import "fmt"

// FileError is the one error a bad, missing or mismatched dataset file gives:
// which file (a path, or a URL for a download), what was expected and what was
// found instead.
type FileError struct {
	Path     string
	Expected string
	Found    string
	Err      error // the underlying error, if any (e.g. a gzip or I/O error)
}

func (e *FileError) Error() string {
	return fmt.Sprintf("%s: expected %s, found %s", e.Path, e.Expected, e.Found)
}

func (e *FileError) Unwrap() error { return e.Err }

func fileErr(path string, err error, expected, foundFormat string, args ...any) *FileError {
	return &FileError{Path: path, Expected: expected, Found: fmt.Sprintf(foundFormat, args...), Err: err}
}
