package main

import (
	"alexbench/harness/results"
	"bytes"
	"fmt"
	"io"
	"os"

	"alexbench/internal/atomicfile"
)

func init() {
	register("export", "write one flat row per finished cell (--format csv|jsonl), for pandas", cmdExport)
}

func cmdExport(args []string) error { return runExport(args, os.Stdout) }

func runExport(args []string, stdout io.Writer) error {
	fs := newFlagSet("export")
	resultsDir := fs.String("results", defaultResults, "results tree")
	format := fs.String("format", "csv", "csv or jsonl")
	out := fs.String("o", "", "write to this file (atomically) instead of stdout")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q (export reads --results DIR)", pos[0])
	}
	write := results.WriteCSV
	switch *format {
	case "csv":
	case "jsonl":
		write = results.WriteJSONL
	default:
		return fmt.Errorf("--format %q: want csv or jsonl", *format)
	}
	rows, skipped, err := results.ExportRows(*resultsDir)
	if err != nil {
		return err
	}
	for _, s := range skipped {
		logf("export: skipped %s\n", s)
	}
	var buf bytes.Buffer
	if err := write(&buf, rows); err != nil {
		return err
	}
	if *out == "" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	return writeFileAtomic(*out, buf.Bytes())
}

// writeFileAtomic writes path via a temp file in its folder and a rename.
func writeFileAtomic(path string, b []byte) error { return atomicfile.Write(path, b) }
