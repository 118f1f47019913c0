package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"alexbench/internal/numfmt"
	"alexbench/models"
)

func init() {
	register("summary", "per-layer output shape, parameters and multiply-adds of a model (like torchinfo)", cmdSummary)
}

func cmdSummary(args []string) error {
	fs := newFlagSet("summary")
	model := configFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON (layers and totals)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return fmt.Errorf("want one model name, got %q", pos)
	}
	if len(pos) == 1 {
		if *model != "" && *model != pos[0] {
			return fmt.Errorf("model given twice: %q and --model %q", pos[0], *model)
		}
		fs.Set("model", pos[0]) // as if given as --model: Visit sees it too
	}
	if *model == "" {
		return fmt.Errorf("which model? (known: %s)", strings.Join(models.Names(), ", "))
	}
	cell, err := resolveCell(fs, model)
	if err != nil {
		return err
	}
	cfg, m := cell.Config, cell.Model
	rows := m.Summary()
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Model   string             `json:"model"`
			Options models.Options     `json:"options"`
			Input   []int              `json:"input"`
			Layers  []models.LayerInfo `json:"layers"`
			Params  int64              `json:"params"`
			MACs    int64              `json:"macs"`
		}{cfg.Model, cfg.Options, m.Input, rows, m.Params(), m.MACs()})
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "layer\tkind\toutput shape\tparams\tmult-adds\t\n")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", r.Name, r.Kind, shapeString(r.OutShape), numfmt.Thousands(r.Params), numfmt.Thousands(r.MACs))
	}
	fmt.Fprintf(tw, "total\t\t%s\t%s\t%s\t\n", shapeString(m.Input)+" in", numfmt.Thousands(m.Params()), numfmt.Thousands(m.MACs()))
	return tw.Flush()
}

// shapeString prints a per-example shape d2l-style, channels first: 96×54×54.
func shapeString(s []int) string {
	if len(s) == 3 {
		s = []int{s[2], s[0], s[1]}
	}
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, "×")
}
