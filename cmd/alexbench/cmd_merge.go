package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"alexbench/harness/results"
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := results.MergeContext(ctx, *into, srcs, time.Now())
	if err != nil && ctx.Err() != nil {
		code := 130 // 128 + the signal's number, as a shell reports it
		if strings.Contains(context.Cause(ctx).Error(), syscall.SIGTERM.String()) {
			code = 143
		}
		copied := 0
		if rep != nil {
			copied = len(rep.Copied) + len(rep.Replaced)
		}
		return &exitError{code, fmt.Errorf("merge interrupted (%v): up to %d cells copied whole, none half; run the merge again to copy the rest", context.Cause(ctx), copied)}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d cells copied, %d replaced a failed or unfinished one, %d already there, %d kept (DST's is finished), %d unfinished in the sources\n",
		*into, len(rep.Copied), len(rep.Replaced), len(rep.Same), len(rep.Kept), len(rep.Unfinish))
	return nil
}
