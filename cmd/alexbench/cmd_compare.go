package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"alexbench/harness"
)

func init() {
	register("compare", "compare two results trees' throughput and accuracy per cell; exit 1 on regressions", cmdCompare)
}

func cmdCompare(args []string) error { return runCompare(args, os.Stdout) }

func runCompare(args []string, stdout io.Writer) error {
	fs := newFlagSet("compare")
	def := harness.DefaultCompareOptions()
	maxReg := fs.String("max-regression", "5%", "throughput tolerance: examples/sec may fall, and step time rise, by this much")
	sigmas := fs.Float64("acc-sigmas", def.AccSigmas, "accuracy tolerance in standard deviations of BASE's seeds")
	floor := fs.Float64("acc-floor", def.AccFloor, "smallest accuracy tolerance (what one seed, with no spread, gets)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: alexbench compare BASE NEW [flags]\n\n"+
			"Compares results tree NEW against BASE cell by cell: examples/sec and step\n"+
			"time against --max-regression; mean test accuracy over the seeds of each\n"+
			"config against BASE's mean − max(acc-sigmas × BASE's seed sd, acc-floor).\n"+
			"A cell finished in BASE but missing or failed in NEW is a regression.\n"+
			"Prints a table; exits 1 when anything regressed.\n\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return errors.New("give two results trees: BASE NEW")
	}
	opt := def
	if opt.MaxRegression, err = harness.ParsePercent(*maxReg); err != nil {
		return fmt.Errorf("--max-regression: %w", err)
	}
	if *sigmas < 0 || *floor < 0 {
		return errors.New("--acc-sigmas and --acc-floor must be ≥ 0")
	}
	opt.AccSigmas, opt.AccFloor = *sigmas, *floor
	base, err := loadSnapshot(pos[0])
	if err != nil {
		return err
	}
	cur, err := loadSnapshot(pos[1])
	if err != nil {
		return err
	}
	rep := harness.Compare(base, cur, opt)
	if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	if rep.Regressions > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d regression(s) of %s against %s", rep.Regressions, pos[1], pos[0])}
	}
	return nil
}

// loadSnapshot reads a results tree; a later --write-baseline can make this
// also read a stored baseline file.
func loadSnapshot(path string) (*harness.Snapshot, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("compare: %s is not a results folder", path)
	}
	snap, err := harness.LoadSnapshot(path)
	if err != nil {
		return nil, err
	}
	if len(snap.Cells) == 0 {
		return nil, fmt.Errorf("compare: no finished cells in %s", path)
	}
	return snap, nil
}
