package harness

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WritePlan prints a plan as --dry-run shows it: per matrix a count line, then
// one row per cell of this shard with its key, whether it would run and why.
func WritePlan(w io.Writer, plan []PlannedCell) error {
	type group struct {
		name                  string
		cells                 []PlannedCell
		run, skip, otherShard int
	}
	var groups []*group
	byName := map[string]*group{}
	for _, pc := range plan {
		g := byName[pc.Matrix]
		if g == nil {
			g = &group{name: pc.Matrix}
			byName[pc.Matrix] = g
			groups = append(groups, g)
		}
		switch {
		case pc.Reason == ReasonOtherShard:
			g.otherShard++
			continue
		case pc.Run:
			g.run++
		default:
			g.skip++
		}
		g.cells = append(g.cells, pc)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, g := range groups {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		profile := ""
		if len(g.cells) > 0 {
			profile = g.cells[0].Profile
		}
		fmt.Fprintf(tw, "%s (profile %s): %d cells, %d to run, %d skipped", g.name, profile,
			g.run+g.skip+g.otherShard, g.run, g.skip)
		if g.otherShard > 0 {
			fmt.Fprintf(tw, ", %d in other shards", g.otherShard)
		}
		fmt.Fprintln(tw)
		fmt.Fprintln(tw, "  KEY\tACTION\tCELL\tREASON")
		for _, pc := range g.cells {
			action := "skip"
			if pc.Run {
				action = "run"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", pc.Key, action, pc.Label(), pc.Reason)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, pc := range plan {
		if pc.Err != nil && pc.Reason != ReasonOtherShard {
			fmt.Fprintf(w, "corrupt: %s/%s: %v\n", pc.Matrix, pc.Key, pc.Err)
		}
	}
	return nil
}
