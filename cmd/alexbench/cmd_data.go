package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"alexbench/data"
)

func init() {
	register("data", "find and verify Fashion-MNIST: `data verify [--data DIR] [--fetch]`", cmdData)
}

func cmdData(args []string) error {
	fs := newFlagSet("data")
	dir := fs.String("data", "", "Fashion-MNIST folder (default: $"+data.EnvVar+", ./"+data.LocalDir+", "+data.DebianDir+")")
	fetch := fs.Bool("fetch", false, "download the files into ./"+data.LocalDir+" when no copy is found")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: alexbench data verify [--data DIR] [--fetch]\n\n"+
			"Finds Fashion-MNIST, checks every file (IDX header, 28×28, labels 0..9,\n"+
			"SHA-256 of the decompressed bytes) and prints what it found and where.\n\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "verify" {
		fs.Usage()
		return fmt.Errorf("want exactly one subcommand, verify; got %q", pos)
	}
	// A signal stops a slow read or download at once, with an error.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	set, err := data.LoadContext(ctx, data.Options{Dir: *dir, Fetch: *fetch})
	if err != nil {
		return err
	}
	printSet(os.Stdout, set)
	return nil
}

// printSet reports what Load found and verified, one line per file.
func printSet(w io.Writer, set *data.Set) {
	dir, err := filepath.Abs(set.Dir)
	if err != nil {
		dir = set.Dir
	}
	fmt.Fprintf(w, "Fashion-MNIST in %s (source: %s)\n", dir, set.Source)
	for _, f := range set.Files {
		format := "raw"
		if f.Gzipped {
			format = "gzip"
		}
		fmt.Fprintf(w, "  %-60s %10d bytes  %-4s  sha256 ok  %6d examples\n", f.Path, f.Size, format, f.N)
	}
	fmt.Fprintf(w, "ok: %d train and %d test examples\n", set.Train.N, set.Test.N)
}
