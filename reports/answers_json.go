package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"alexbench/reports/answers"
	"alexbench/reports/load"
)

// AnswersFile is the name of the machine-readable answers written beside
// report.html: what the page says, as values a nightly job can diff.
const AnswersFile = "answers.json"

// answersDoc is answers.json.
type answersDoc struct {
	// Profile is the run profile the cells ran ("quick", "full"), or the
	// profiles joined with "+" when a tree mixes them; "" with no cells.
	Profile string `json:"profile"`
	// ProducedBy is the report's header: backends, devices, versions, dates
	// and cell counts, as the results recorded them.
	ProducedBy []answers.HeaderRow `json:"produced_by"`
	Exercises  []exerciseJSON      `json:"exercises"`
}

type exerciseJSON struct {
	ID          string           `json:"id"`
	Num         string           `json:"num,omitempty"`
	Title       string           `json:"title"`
	Question    string           `json:"question"`
	Answer      string           `json:"answer"`
	Glance      string           `json:"glance"`
	Details     string           `json:"details"`
	Status      string           `json:"status"`
	D2LScale    bool             `json:"d2l_scale"`
	Profiles    []string         `json:"profiles"`
	Comparisons []comparisonJSON `json:"comparisons"`
	KeptOut     []keptOutJSON    `json:"kept_out"`
}

// comparisonJSON is a comparison in its unit: points for accuracies (b − a,
// ×100), b/a for ratios; p is Holm-corrected within its family. The verdict
// is higher, lower, equivalent, undecided, withheld or not_enough_runs. Values a
// comparison could not compute are null.
type comparisonJSON struct {
	What   string   `json:"what"`
	Metric string   `json:"metric"`
	Unit   string   `json:"unit"`
	Family string   `json:"family"`
	NA     int      `json:"n_a"`
	NB     int      `json:"n_b"`
	Effect *float64 `json:"effect"`
	CILow  *float64 `json:"ci_low"`
	CIHigh *float64 `json:"ci_high"`
	P      *float64 `json:"p"`
	Test   string   `json:"test"`
	// Margin bounds "equivalent" (1 point; a ratio of 1.1 either way);
	// EquivP is its TOST p (Holm-corrected); Detectable is the smallest
	// effect the comparison could have found (80 % power), in the unit.
	Margin     *float64 `json:"margin"`
	EquivP     *float64 `json:"equiv_p"`
	Detectable *float64 `json:"detectable"`
	Verdict    string   `json:"verdict"`
	// FLOPsRatio is b's analytic FLOPs over a's for the work a timing
	// measured (null where none was counted), per FLOPsPer ("image",
	// "epoch"; "" for the whole work): a time's machine-independent side.
	FLOPsRatio *float64 `json:"flops_ratio,omitempty"`
	FLOPsPer   string   `json:"flops_per,omitempty"`
}

// keptOutJSON is a run that diverged or never learned (answers.json's
// "kept_out", a name kept from when such runs were left out of the
// estimates; they now count in them).
type keptOutJSON struct {
	Label   string   `json:"label"`
	Seed    int64    `json:"seed"`
	Outcome string   `json:"outcome"`
	TestAcc *float64 `json:"test_acc"`
	Why     string   `json:"why"`
}

// AnswersJSON is answers.json for answers built from res: indented, keys
// in a fixed order, so the same results give the same bytes.
func AnswersJSON(res *load.Results, as []*answers.Answer) ([]byte, error) {
	doc := answersDoc{Profile: profileOf(res), ProducedBy: answers.BuildHeader(res).Rows, Exercises: []exerciseJSON{}}
	for _, a := range as {
		e := exerciseJSON{ID: a.ID, Num: a.Num, Title: a.Title, Question: strings.Join(a.Question, "\n"),
			Answer: a.Summary, Glance: a.Glance, Details: strings.Join(a.Text, "\n"), Status: string(a.Status), D2LScale: a.D2LScale,
			Profiles: a.Profiles, Comparisons: []comparisonJSON{}, KeptOut: []keptOutJSON{}}
		if e.Answer == "" {
			e.Answer = e.Details // not measured: what to run
		}
		if e.Profiles == nil {
			e.Profiles = []string{}
		}
		for _, c := range a.Comparisons {
			e.Comparisons = append(e.Comparisons, comparisonOf(c))
		}
		for _, k := range a.KeptOut {
			e.KeptOut = append(e.KeptOut, keptOutJSON{Label: k.Label, Seed: k.Seed, Outcome: k.Outcome, TestAcc: finite(k.TestAcc), Why: k.Why})
		}
		doc.Exercises = append(doc.Exercises, e)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encoding %s: %w", AnswersFile, err)
	}
	return buf.Bytes(), nil
}

func comparisonOf(c *answers.Comparison) comparisonJSON {
	scale := func(x float64) float64 { return x }
	switch c.Unit {
	case "points":
		scale = func(x float64) float64 { return 100 * x }
	case "ratio":
		scale = math.Exp
	}
	out := comparisonJSON{What: c.What, Metric: c.Metric, Unit: c.Unit, Family: c.Family, NA: c.NA, NB: c.NB,
		Test: c.Test, Verdict: string(c.Verdict)}
	if c.Enough {
		out.Effect, out.CILow, out.CIHigh, out.P = finite(scale(c.Diff)), finite(scale(c.Lo)), finite(scale(c.Hi)), finite(c.PAdj)
		out.EquivP, out.Detectable = finite(c.EquivP), finite(scale(c.Detectable))
	}
	if c.Margin > 0 {
		out.Margin = finite(scale(c.Margin))
	}
	out.FLOPsRatio, out.FLOPsPer = finite(c.FLOPsRatio), c.FLOPsPer
	return out
}

// finite is x, or nil (JSON null) for NaN and ±Inf.
func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// profileOf is the run profile of the tree's cells.
func profileOf(res *load.Results) string {
	seen := map[string]bool{}
	var order []string
	for _, m := range res.Matrices {
		for _, c := range m.Cells {
			if c.Summary != nil && c.Summary.Profile != "" && !seen[c.Summary.Profile] {
				seen[c.Summary.Profile] = true
				order = append(order, c.Summary.Profile)
			}
		}
	}
	return strings.Join(slices.Sorted(slices.Values(order)), "+")
}
