package main

import (
	"alexbench/harness/compare"
	"errors"
	"fmt"
	"io"
	"os"
)

func init() {
	register("compare", "compare two results trees (or a stored baseline) per cell; exit 1 on regressions; --write-baseline stores one", cmdCompare)
}

func cmdCompare(args []string) error { return runCompare(args, os.Stdout) }

func runCompare(args []string, stdout io.Writer) error {
	fs := newFlagSet("compare")
	def := compare.DefaultBaselineCompareOptions()
	maxReg := fs.String("max-regression", "5%", "throughput tolerance: examples/sec may fall, and step time rise, by this much")
	maxFirst := fs.String("max-first-step-regression", "50%", "tolerance for the first step's time (graph compile + autotuning), which is noisier")
	speedSigmas := fs.Float64("speed-sigmas", def.SpeedSigmas, "widen the throughput tolerance to this many standard deviations of BASE's seeds, where larger (their run-to-run noise)")
	sigmas := fs.Float64("acc-sigmas", def.AccSigmas, "accuracy tolerance in standard deviations of BASE's seeds")
	floor := fs.Float64("acc-floor", def.AccFloor, "smallest accuracy tolerance (what one seed, with no spread, gets)")
	maxMem := fs.String("max-memory-growth", "10%", "peak memory tolerance: it may grow by this much (or by --memory-floor-mib, whichever is larger)")
	memFloor := fs.Float64("memory-floor-mib", def.MemoryFloorMiB, "smallest peak memory growth that counts, in MiB")
	allowCard := fs.Bool("allow-card-mismatch", false, "compare results measured on different cards (refused otherwise)")
	baseline := fs.String("baseline", "", "BASE is this baseline file, or the baseline-<card>.json for NEW's card in this folder; give only NEW")
	writeTo := fs.String("write-baseline", "", "write RESULTS as a baseline to this file (or folder: baseline-<card>.json in it) instead of comparing")
	force := fs.Bool("force", false, "with --write-baseline: replace an existing baseline file")
	markdown := fs.String("markdown", "", "also append the comparison as Markdown to this file (e.g. $GITHUB_STEP_SUMMARY)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: alexbench compare BASE NEW [flags]\n"+
			"       alexbench compare --baseline FILE|DIR NEW [flags]\n"+
			"       alexbench compare --write-baseline FILE|DIR RESULTS [--force]\n\n"+
			"Compares NEW against BASE per configuration (the mean over its seeds); each\n"+
			"is a results tree or a baseline file. examples/sec and step time may worsen\n"+
			"by max(--max-regression, speed-sigmas × BASE's relative seed sd), the first\n"+
			"step's time by --max-first-step-regression; mean test accuracy must stay above\n"+
			"BASE's mean − max(acc-sigmas × BASE's seed sd, acc-floor); peak memory (when both\n"+
			"sides measured it the same way) may grow by --max-memory-growth or\n"+
			"--memory-floor-mib, whichever is larger. A cell finished in\n"+
			"BASE but missing or failed in NEW is a regression. Results from different\n"+
			"cards are refused unless --allow-card-mismatch.\n"+
			"Prints a table; exits 1 when anything regressed.\n\n"+
			"--write-baseline stores RESULTS' per-cell metrics with the card, driver,\n"+
			"versions and date (see docs/NIGHTLY.md).\n\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *writeTo != "" {
		if len(pos) != 1 || *baseline != "" {
			fs.Usage()
			return errors.New("--write-baseline takes one results tree: --write-baseline FILE|DIR RESULTS")
		}
		return writeBaseline(*writeTo, pos[0], *force, stdout)
	}
	if *force {
		return errors.New("--force goes with --write-baseline")
	}
	opt := def
	if opt.MaxRegression, err = compare.ParsePercent(*maxReg); err != nil {
		return fmt.Errorf("--max-regression: %w", err)
	}
	if opt.MaxFirstStepRegression, err = compare.ParsePercent(*maxFirst); err != nil {
		return fmt.Errorf("--max-first-step-regression: %w", err)
	}
	if opt.MaxMemoryGrowth, err = compare.ParsePercent(*maxMem); err != nil {
		return fmt.Errorf("--max-memory-growth: %w", err)
	}
	opt.MemoryFloorMiB = *memFloor
	opt.AccSigmas, opt.AccFloor, opt.SpeedSigmas, opt.AllowCardMismatch = *sigmas, *floor, *speedSigmas, *allowCard
	if err := opt.Validate(); err != nil {
		return err
	}

	var base, cur *compare.Baseline
	switch {
	case *baseline != "" && len(pos) == 1:
		if _, err := os.Stat(*baseline); err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
		if cur, err = compare.CompareSource(pos[0]); err != nil {
			return err
		}
		path, err := baselinePath(*baseline, cur.Card)
		if err != nil {
			return err
		}
		if base, err = compare.CompareSource(path); err != nil {
			return err
		}
	case *baseline == "" && len(pos) == 2:
		if base, err = compare.CompareSource(pos[0]); err != nil {
			return err
		}
		if cur, err = compare.CompareSource(pos[1]); err != nil {
			return err
		}
	default:
		fs.Usage()
		return errors.New("give two results trees (BASE NEW), or --baseline FILE|DIR and one (NEW)")
	}
	fmt.Fprintf(stdout, "BASE %s: %s, driver %s, GoMLX %s, alexbench %s\nNEW  %s: %s, driver %s, GoMLX %s, alexbench %s\n\n",
		base.Source, base.Card, orNone(base.Driver), orNone(base.Versions.GoMLX), orNone(base.Versions.Alexbench),
		cur.Source, cur.Card, orNone(cur.Driver), orNone(cur.Versions.GoMLX), orNone(cur.Versions.Alexbench))
	rep, err := compare.CompareBaselines(base, cur, opt)
	if err != nil {
		return err
	}
	if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	if *markdown != "" {
		if err := appendMarkdown(*markdown, rep, base, cur); err != nil {
			return err
		}
	}
	if rep.Regressions > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d regression(s) of %s against %s", rep.Regressions, cur.Source, base.Source)}
	}
	return nil
}

// baselinePath is --baseline's file: itself, or the card's file in a folder.
func baselinePath(flagValue, card string) (string, error) {
	st, err := os.Stat(flagValue)
	if err != nil {
		return "", fmt.Errorf("--baseline: %w", err)
	}
	if !st.IsDir() {
		return flagValue, nil
	}
	return compare.FindBaseline(flagValue, card)
}

func writeBaseline(to, results string, force bool, stdout io.Writer) error {
	st, err := os.Stat(results)
	if err != nil {
		return fmt.Errorf("--write-baseline: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("--write-baseline: %s is not a results folder", results)
	}
	b, err := compare.CompareSource(results)
	if err != nil {
		return err
	}
	path, err := compare.WriteBaseline(to, b, force)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d cells of %s on %s (driver %s)\n", path, len(b.Cells), results, b.Card, orNone(b.Driver))
	if n := len(b.Cells) - doneCells(b); n > 0 {
		fmt.Fprintf(stdout, "warning: %d cell(s) did not finish; a baseline guards nothing for them\n", n)
	}
	return nil
}

// appendMarkdown appends (GitHub's step summary is one file every step adds to).
func appendMarkdown(path string, rep *compare.CompareReport, base, cur *compare.Baseline) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("--markdown: %w", err)
	}
	if err := rep.WriteMarkdown(f, base, cur); err != nil {
		f.Close()
		return fmt.Errorf("--markdown: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--markdown: writing %s: %w", path, err)
	}
	return nil
}

func doneCells(b *compare.Baseline) int {
	n := 0
	for _, c := range b.Cells {
		if c.Outcome == "done" {
			n++
		}
	}
	return n
}

func orNone(s string) string {
	if s == "" {
		return "n/a"
	}
	return s
}
