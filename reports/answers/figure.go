package answers

// Figure is a chart described as data: what is plotted, on which axes, in
// which colours. The render layer draws it (with echarts); an answer never
// knows how. Values that are NaN are gaps.
type Figure struct {
	// Name is unique within its section: the chart's element id is
	// "chart-<section id>-<Name>", stable from run to run.
	Name            string
	Title, Subtitle string
	Height          int // pixels
	// Tooltip is "axis" (every series at the hovered x) or "item" (one point).
	Tooltip string
	// Legend lists the series named in the legend (nil: every named series);
	// NoLegend hides it.
	Legend   []string
	NoLegend bool
	// Panels are stacked vertically, each with its own axes; most figures
	// have one.
	Panels []Panel
}

// Panel is one plot area: two axes and the series drawn on them.
type Panel struct {
	X, Y   Axis
	Series []Series
}

// AxisKind is how an axis maps values.
type AxisKind string

const (
	Category AxisKind = "category" // one slot per label (Axis.Categories)
	Linear   AxisKind = "value"
	Log      AxisKind = "log"
)

// Axis is one axis of a panel.
type Axis struct {
	Kind       AxisKind
	Name       string
	Categories []string // a Category axis' labels, in order
	// Min and Max fix the range when Fixed is set (else the range follows
	// the data; ZeroBased starts a linear axis at 0).
	Min, Max  float64
	Fixed     bool
	ZeroBased bool
	// NonNegative marks a metric that cannot go below 0 (a loss, a time):
	// its 95 % CI whiskers and bands are cut at 0, as a Fixed axis' are cut
	// at its range, so no interval shows an impossible value.
	NonNegative bool
	LogBase     float64 // a Log axis' base (0: 10)
	Inverse     bool    // a vertical category axis reads top to bottom
	// LabelRotate turns category labels (degrees); LabelWidth cuts them to
	// that many pixels; LabelFont sets their size (0: the default).
	LabelRotate float64
	LabelWidth  int
	LabelFont   int
}

// SeriesKind is how a series is drawn.
type SeriesKind string

const (
	Line    SeriesKind = "line"
	Bar     SeriesKind = "bar"
	Scatter SeriesKind = "scatter"
	// Whiskers draws a 95 % CI per point: Whiskers[i] is {x, lo, hi}, or
	// {y, lo, hi} with Horizontal (x is a category index on a category axis).
	Whiskers SeriesKind = "whiskers"
	// Band shades Lo–Hi between consecutive points of X (a curve's CI).
	Band SeriesKind = "band"
	// SDBand shades Mean ± SD around a Line on a category axis.
	SDBand SeriesKind = "sdband"
	// VLine is a dashed vertical line at X[0], labelled Label.
	VLine SeriesKind = "vline"
)

// Series is one thing drawn on a panel.
type Series struct {
	Name  string
	Kind  SeriesKind
	Color string // "" for the palette's next
	// Y are the values of a Category-x series, one per category (or per
	// category of a horizontal bar chart's Y axis).
	Y []float64
	// X and Y together are points of a Line or Scatter on a value axis.
	X []float64
	// PointNames name a Scatter's points; LabelPoints prints them beside
	// the points, placed not to overlap.
	PointNames  []string
	LabelPoints bool
	// Whiskers: {position, lo, hi} per point; Horizontal draws them along x.
	Whiskers   [][3]float64
	Horizontal bool
	// Lo and Hi bound a Band (with X) or are the mean ± sd of an SDBand.
	Lo, Hi []float64
	// Style.
	Dashed     bool
	Width      float64 // line width (0: the default)
	Symbol     string  // "none", "circle" ("" the default)
	SymbolSize float64
	Step       string // a step line: "end"
	Label      string // a VLine's label
	// Horizontal bars: a Bar series with Horizontal draws along x, one bar
	// per category of the Y axis.
}
