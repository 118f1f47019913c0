package main

import (
	"alexbench/harness/results"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

func init() {
	register("merge", "copy the finished cells of results trees into one: `merge SRC... --into DST`", cmdMerge)
}

func cmdMerge(args []string) error { return runMerge(args, os.Stdout) }

func runMerge(args []string, stdout io.Writer) error {
	fs := newFlagSet("merge")
	into := fs.String("into", "", "destination results tree (created if missing)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: alexbench merge SRC... --into DST\n\n"+
			"Copies every finished cell of the SRC trees (e.g. one per shard) into DST.\n"+
			"A cell DST lacks, or has only failed, is copied (an old folder is kept in\n"+
			".replaced); if any cell finished in two trees with different results,\n"+
			"nothing is copied and the conflicts are listed.\n\n")
		fs.PrintDefaults()
	}
	srcs, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *into == "" || len(srcs) == 0 {
		fs.Usage()
		return errors.New("give one or more source trees and --into DST")
	}
	rep, err := results.Merge(*into, srcs, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d cells copied, %d replaced a failed or unfinished one, %d already there, %d kept (DST's is finished), %d unfinished in the sources\n",
		*into, len(rep.Copied), len(rep.Replaced), len(rep.Same), len(rep.Kept), len(rep.Unfinish))
	return nil
}
