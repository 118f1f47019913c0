package main

import (
	"io"
	"os"
	"testing"
)

// captureStdout runs f with os.Stdout going to a pipe and returns what it
// printed; f's error fails the test.
func captureStdout(t *testing.T, f func() error) []byte {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	err = f()
	w.Close()
	os.Stdout = stdout
	out := <-done
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return out
}
