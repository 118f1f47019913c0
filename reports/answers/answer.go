package answers

import (
	"alexbench/internal/stats"
)

// Answer is one section of the report: d2l's question, the answer in plain
// words, and the evidence behind it as typed values. Render turns it into
// HTML and into answers.json; nothing here knows how it will be drawn.
type Answer struct {
	// ID is the HTML anchor: "d2l-8-1" for the chapter's result, else
	// "d2l-ex-" and the exercise number with dots as dashes ("d2l-ex-5-1").
	ID string
	// Num is d2l's exercise number ("1.1", "7"); "" for §8.1 and for the
	// sections that answer no exercise (pictures, timelines, other matrices).
	Num string
	// Aliases are more anchors, so old links still land: the harness's older
	// section names ("e5", "e2-1") and a parent exercise's id.
	Aliases  []string
	Title    string
	Question []string // d2l 1.0's exercise text
	Status   Status
	// Profiles are the run profiles the section's cells ran ("quick",
	// "full"); D2LScale is true when every one of them is d2l's own scale.
	Profiles []string
	D2LScale bool
	// Summary is the answer in plain words, a short paragraph that opens the
	// section ("Answer: …"): what the numbers show, why where the exercise
	// asks, d2l's figure beside every comparable number, and the scale it
	// was measured at. Generated from the values below; "" until measured.
	Summary string
	// Glance is the answer in one line, for the table at the top of the page.
	Glance string
	// Text is the evidence in words, one paragraph a line: every estimate
	// and comparison behind the Summary.
	Text []string
	// Comparisons are every comparison the section makes, in the order its
	// text states them (each family Holm-corrected before any text is written).
	Comparisons []*Comparison
	// KeptOut are the runs that diverged or never learned, with why. They
	// count in every accuracy estimate (the name, and answers.json's
	// "kept_out", are from when they were left out, kept so readers of the
	// file need not change).
	KeptOut []KeptOut
	// Blocks are the tables, figures, pictures and notes, in page order.
	Blocks []Block
}

// Status says how much of a section's evidence exists.
type Status string

const (
	Measured    Status = "measured"
	Partial     Status = "partial"
	NotMeasured Status = "not measured"
)

// Block is one element of a section, in order: exactly one field is set.
type Block struct {
	Heading string
	Note    string
	Figures []Figure // one figure, or a row of panels
	Table   *Table
	Images  []Image
	Cells   *CellList
}

// Table is a captioned table of formatted cells.
type Table struct {
	Caption string
	Head    []string
	Rows    [][]string
	Right   []bool // right-aligned (numeric) columns
}

// Align tells whether column i is right-aligned.
func (t *Table) Align(i int) bool { return i < len(t.Right) && t.Right[i] }

// Image is a picture a cell saved (conv1's filters, activation maps).
type Image struct {
	Caption, Title string
	PNG            []byte
	Width, Height  int // display size in CSS pixels (0: natural)
}

// CellList lists a section's cells: the ones that did not finish in view,
// all of them folded away.
type CellList struct {
	Summary string
	NotDone []CellRow
	Rows    []CellRow
}

// CellRow is one cell of a CellList, every field formatted.
type CellRow struct {
	Matrix, Label, Seed, Key, Outcome, TestAcc, Epochs, Time, Note string
}

// KeptOut is a run that diverged or never learned, and why.
type KeptOut struct {
	Matrix, Label string
	Seed          int64 // -1 when the config could not be read
	Outcome       string
	TestAcc       float64
	Why           string
}

// Comparison is two configurations compared on one metric: the difference
// b − a (for a ratio metric, log(b/a)), its 95 % CI, the test and its
// Holm-corrected p, and the verdict those give.
type Comparison struct {
	// What names the two sides in words: "dropout 0.5 vs 0, within ReLU".
	What string
	// Metric is what was measured: "test_acc", "time", "throughput",
	// "memory", "gap", "loss".
	Metric string
	// Unit is how Effect reads: "points" (accuracy ×100), "ratio" (Effect is
	// a log ratio), or the metric's own unit.
	Unit string
	// Family is the Holm family the comparison was corrected in.
	Family string
	stats.Comparison
	// Margin is the equivalence margin in Diff's units (0.01 for accuracies:
	// 1 point; log 1.1 for ratios: 10 %); 0 where the metric has none.
	Margin float64
	// EquivP is the TOST p that |Diff| < Margin, Holm-corrected over the
	// family's equivalence tests; NaN without a margin or enough runs.
	EquivP float64
	// Detectable is the smallest |Diff| the comparison had an 80 % chance
	// of finding (NaN without enough runs): what an undecided one rules out.
	Detectable float64
	// Withheld says why a timing's verdict is not given (the machine was
	// busier than its cores while either side trained); "" otherwise.
	Withheld string
	Verdict  Verdict
	// FLOPsRatio is b's analytic FLOPs over a's for the work a timing
	// measured (NaN where none was counted): the machine-independent side
	// of a time-cost answer. FLOPsPer names its unit when not the whole
	// work ("image", "epoch").
	FLOPsRatio float64
	FLOPsPer   string
}

// Significant tells whether the comparison is a finding: a significant
// test whose verdict is not withheld (a timing from a busy machine decides
// nothing, whatever its p).
func (c *Comparison) Significant() bool { return c.Comparison.Significant() && c.Withheld == "" }

// Verdict is what a comparison decides.
type Verdict string

const (
	Higher        Verdict = "higher"          // b significantly above a
	Lower         Verdict = "lower"           // b significantly below a
	Equivalent    Verdict = "equivalent"      // shown within ±Margin (TOST)
	Undecided     Verdict = "undecided"       // neither: the design cannot tell
	Withheld      Verdict = "withheld"        // a timing measured on a busy machine
	NotEnoughRuns Verdict = "not_enough_runs" // fewer than stats.MinRuns a side
)
