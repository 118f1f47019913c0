package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"alexbench/reports"
	"alexbench/reports/answers"
	"alexbench/reports/load"
)

func init() {
	register("report", "write the offline HTML report from a results folder", runReport)
}

func runReport(args []string) error {
	fs := newFlagSet("report")
	results := fs.String("results", "results", "results folder to read")
	out := fs.String("o", "", "HTML file to write (default <results>/report.html)")
	asJSON := fs.Bool("json", false, "print answers.json (every section's answer and comparisons) to stdout instead of writing files")
	echarts := fs.String("echarts", "", "inline this echarts.min.js `FILE` (default: $"+reports.EChartsEnv+", else node_modules/echarts/dist/echarts.min.js found from here or the binary upwards, which make js installs)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: alexbench report [--results DIR] [-o FILE] [--echarts FILE] [--json]\n\n"+
			"Writes one self-contained HTML file answering every exercise from the results\n"+
			"(partial results included), and answers.json beside it: each section's answer,\n"+
			"comparisons (effect, 95%% CI, p, n, test, verdict) and runs that diverged or\n"+
			"never learned.\n"+
			"Same results, same files, byte for byte.\n\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q (the results folder is --results DIR)", pos[0])
	}
	if *out == "" {
		*out = filepath.Join(*results, "report.html")
	}
	res, err := load.Load(*results)
	if err != nil {
		return err
	}
	as := answers.Build(res)
	doc, err := reports.AnswersJSON(res, as)
	if err != nil {
		return err
	}
	if *asJSON {
		_, err := os.Stdout.Write(doc)
		return err
	}
	src, err := reports.FindECharts(*echarts)
	if err != nil {
		return err
	}
	js, version, err := reports.LoadECharts(src)
	if err != nil {
		return err
	}
	command := "alexbench report --results " + shellQuote(*results)
	if *out != filepath.Join(*results, "report.html") {
		command += " -o " + shellQuote(*out)
	}
	page, err := reports.RenderAnswers(res, as, reports.Options{ECharts: js, EChartsVersion: version, Command: command})
	if err != nil {
		return err
	}
	if err := reports.WriteFile(*out, page); err != nil {
		return err
	}
	jsonOut := filepath.Join(filepath.Dir(*out), reports.AnswersFile)
	if err := reports.WriteFile(jsonOut, doc); err != nil {
		return err
	}
	cells := 0
	for _, m := range res.Matrices {
		cells += len(m.Cells)
	}
	fmt.Fprintf(os.Stderr, "alexbench report: wrote %s (%.1f MB) and %s: %d matrices, %d cells, %d profiles", *out, float64(len(page))/1e6, jsonOut, len(res.Matrices), cells, len(res.Profiles))
	if n := len(res.Problems); n > 0 {
		fmt.Fprintf(os.Stderr, "; %d unreadable files (listed in the report)", n)
	}
	fmt.Fprintln(os.Stderr)
	return nil
}

// shellQuote quotes s for the footer's command line when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
