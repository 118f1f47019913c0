package main

import (
	"alexbench/harness/results"
	"fmt"
	"io"
	"os"
)

func init() {
	register("status", "count a results tree's cells per matrix: done, failed, in flight, pending", cmdStatus)
}

func cmdStatus(args []string) error { return runStatus(args, os.Stdout) }

func runStatus(args []string, stdout io.Writer) error {
	fs := newFlagSet("status")
	resultsDir := fs.String("results", defaultResults, "results tree")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q (status reads --results DIR)", pos[0])
	}
	sts, err := results.Status(*resultsDir)
	if err != nil {
		return err
	}
	if len(sts) == 0 {
		fmt.Fprintf(stdout, "no results in %s\n", *resultsDir)
		return nil
	}
	return results.WriteStatus(stdout, sts)
}
