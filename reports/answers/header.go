package answers

import (
	"alexbench/reports/load"
	"fmt"
	"strings"
	"time"
)

// Header says what produced the results (profiles, backends, devices,
// versions, dates, cell counts), for the top of the page: a row a fact.
type Header struct {
	Rows     []HeaderRow
	Warnings []string
}

// HeaderRow is one fact of the Header.
type HeaderRow struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// BuildHeader says what produced the results: everything comes from the
// summaries (and profiles), never from the machine rendering the report, so
// the same results give the same header.
func BuildHeader(res *Results) Header {
	profiles, backends, devices, drivers := distinct{}, distinct{}, distinct{}, distinct{}
	allocators, xlaFlags := distinct{}, distinct{}
	gos, gomlxs, commits := distinct{}, distinct{}, distinct{}
	var first, last time.Time
	counts := map[string]int{}
	total := 0
	for _, m := range res.Matrices {
		for _, c := range m.Cells {
			total++
			counts[c.Outcome()]++
			s := c.Summary
			if s == nil {
				continue
			}
			profiles.add(s.Profile)
			backends.add(s.Backend)
			devices.add(s.Device)
			allocators.add(s.Allocator)
			xlaFlags.add(s.XLAFlags)
			drivers.add(s.Versions.Driver)
			gos.add(s.Versions.Go)
			gomlxs.add(s.Versions.GoMLX)
			commits.add(s.Versions.Alexbench)
			if !s.Started.IsZero() && (first.IsZero() || s.Started.Before(first)) {
				first = s.Started
			}
			if !s.Finished.IsZero() && s.Finished.After(last) {
				last = s.Finished
			}
		}
	}
	for _, p := range res.Profiles {
		backends.add(p.Backend)
		devices.add(p.Device)
		gomlxs.add(p.GoMLX)
		commits.add(p.Alexbench)
		if t, err := time.Parse(time.RFC3339, p.Created); err == nil {
			if first.IsZero() || t.Before(first) {
				first = t
			}
			if t.After(last) {
				last = t
			}
		}
	}
	var h Header
	add := func(name, value string) { h.Rows = append(h.Rows, HeaderRow{name, value}) }
	add("profile", profiles.String())
	add("backend", backends.String())
	add("device", devices.String())
	// Only XLA runs have these; they change speed and measured memory.
	if len(allocators) > 0 {
		add("XLA allocator", allocators.String())
	}
	if len(xlaFlags) > 0 {
		add("XLA_FLAGS", xlaFlags.String())
	}
	add("driver", drivers.String())
	add("Go", gos.String())
	add("GoMLX", gomlxs.String())
	add("alexbench commit", commits.String())
	add("date", dateRange(first, last))
	var parts []string
	for _, o := range load.OutcomeOrder {
		if counts[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[o], o))
		}
	}
	cells := fmt.Sprintf("%d cells", total)
	if total == 1 {
		cells = "1 cell"
	}
	if len(parts) > 0 {
		cells += ": " + strings.Join(parts, ", ")
	}
	add("cells", cells)
	add("results folder", ValidUTF8(res.Dir))

	if profiles["quick"] > 0 {
		h.Warnings = append(h.Warnings, "Quick profile: these numbers come from runs scaled down to fit a CPU "+
			"(a subset of the images, fewer epochs, smaller inputs; see each cell's config). They show the direction "+
			"and rough size of each effect, not d2l-scale accuracy or speed. Run `make ablation` on a GPU for the full profile.")
	}
	if profiles["cpu"] > 0 {
		h.Warnings = append(h.Warnings, "CPU profile: sized so each comparison decides on a CPU within about an hour. "+
			"LeNet's sections run d2l's own recipe at d2l's scale; AlexNet's run AlexNet-quick (¼ width, 67×67 inputs, "+
			"a subset of the images), so their accuracies and speeds are not d2l's. Each section says its scale.")
	}
	if len(res.LeftOut) > 0 {
		h.Warnings = append(h.Warnings, "This results folder holds cells of more than one profile. The report answers from the "+res.Profile+
			" profile's cells only and leaves out "+strings.Join(res.LeftOut, " and ")+": pooled, runs of different lengths would be averaged and paired by seed. "+
			"Give each profile its own results folder (--results) to report it.")
	}
	if len(allocators) > 1 || len(xlaFlags) > 1 {
		h.Warnings = append(h.Warnings, "Cells ran with different XLA allocators or flags: memory and timings are only comparable within one setting.")
	}
	if len(devices) > 1 {
		h.Warnings = append(h.Warnings, "Cells ran on different devices ("+devices.String()+"): timings are only comparable within one device.")
	}
	return h
}

func dateRange(first, last time.Time) string {
	const layout = "2006-01-02 15:04 UTC"
	switch {
	case first.IsZero() && last.IsZero():
		return "not recorded"
	case first.IsZero():
		return "until " + last.UTC().Format(layout)
	case last.IsZero():
		return "from " + first.UTC().Format(layout)
	case first.UTC().Format(layout) == last.UTC().Format(layout):
		return first.UTC().Format(layout)
	}
	return first.UTC().Format(layout) + " – " + last.UTC().Format(layout)
}
