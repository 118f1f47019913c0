package reports

import (
	"math"
	"sort"
	"strings"
)

// Scatter labels are placed here, not left to echarts: points that sit on
// each other (a roofline's ReLU, pooling and dropout layers share an
// intensity; two variants of exercise 5.1 share a time and an accuracy) get one label
// naming them all, and every other label goes to the first side of its point
// (right, left, above, below) where it overlaps no other label or point and
// stays inside the plot. The browser test checks the result on the drawn
// page (no text over another, none cut off).

type labelPoint struct {
	x, y float64
	name string
}

// labelSpot is one point's label: shown at position with text, or not shown
// (its name is in a neighbour's label).
type labelSpot struct {
	show     bool
	position string
	text     string
}

// plotBox is the plot area the points are drawn in: the axes' ranges and an
// estimate of its size in pixels (conservative: the real one is larger).
type plotBox struct {
	xmin, xmax, ymin, ymax float64
	xlog, ylog             bool
	w, h                   float64
}

func (b plotBox) px(x, y float64) (float64, float64) {
	t := func(v, lo, hi float64, log bool) float64 {
		if log {
			v, lo, hi = math.Log10(v), math.Log10(lo), math.Log10(hi)
		}
		if hi == lo {
			return 0.5
		}
		return (v - lo) / (hi - lo)
	}
	return t(x, b.xmin, b.xmax, b.xlog) * b.w, (1 - t(y, b.ymin, b.ymax, b.ylog)) * b.h
}

type rect struct{ x0, y0, x1, y1 float64 }

func (r rect) overlaps(o rect) bool { return r.x0 < o.x1 && o.x0 < r.x1 && r.y0 < o.y1 && o.y0 < r.y1 }

const (
	labelCharW = 6.2 // px per character at font size 10 (generous)
	labelH     = 14
	labelGap   = 7 // from the point's centre
	markerR    = 6
)

func labelRect(px, py float64, text, pos string) rect {
	w := labelCharW*float64(len([]rune(text))) + 4
	switch pos {
	case "left":
		return rect{px - labelGap - w, py - labelH/2, px - labelGap, py + labelH/2}
	case "top":
		return rect{px - w/2, py - labelGap - labelH, px + w/2, py - labelGap}
	case "bottom":
		return rect{px - w/2, py + labelGap, px + w/2, py + labelGap + labelH}
	}
	return rect{px + labelGap, py - labelH/2, px + labelGap + w, py + labelH/2}
}

// placeLabels places the labels of pts (in their order) in box.
func placeLabels(pts []labelPoint, box plotBox) []labelSpot {
	spots := make([]labelSpot, len(pts))
	type xy struct{ x, y float64 }
	pos := make([]xy, len(pts))
	for i, p := range pts {
		pos[i].x, pos[i].y = box.px(p.x, p.y)
	}
	// Points closer than a marker's width share one label, on the first.
	owner := make([]int, len(pts))
	for i := range pts {
		owner[i] = i
		for j := 0; j < i; j++ {
			if owner[j] == j && math.Hypot(pos[i].x-pos[j].x, pos[i].y-pos[j].y) < 2*markerR {
				owner[i] = j
				break
			}
		}
	}
	names := map[int][]string{}
	for i, p := range pts {
		if math.IsNaN(pos[i].x) || math.IsNaN(pos[i].y) {
			continue
		}
		names[owner[i]] = append(names[owner[i]], p.name)
	}
	var markers []rect
	for i := range pts {
		markers = append(markers, rect{pos[i].x - markerR, pos[i].y - markerR, pos[i].x + markerR, pos[i].y + markerR})
	}
	// Place the most crowded first: their choices are the fewest.
	order := make([]int, 0, len(names))
	for i := range names {
		order = append(order, i)
	}
	sort.Slice(order, func(a, b int) bool {
		if pos[order[a]].x != pos[order[b]].x {
			return pos[order[a]].x > pos[order[b]].x // right to left: right-hand labels see the plot's edge first
		}
		return order[a] < order[b]
	})
	var placed []rect
	var placedBy []int
	for _, i := range order {
		text := strings.Join(names[i], ", ")
		best, bestPos := rect{}, ""
		for _, p := range []string{"right", "left", "top", "bottom"} {
			r := labelRect(pos[i].x, pos[i].y, text, p)
			if r.x0 < 0 || r.y0 < -labelH || r.x1 > box.w || r.y1 > box.h+labelH {
				continue
			}
			clash := false
			for _, o := range placed {
				clash = clash || r.overlaps(o)
			}
			for j, m := range markers {
				if owner[j] != i && r.overlaps(m) {
					clash = true
				}
			}
			if !clash {
				best, bestPos = r, p
				break
			}
		}
		if bestPos == "" {
			// Nowhere free: join the label it collides with.
			r := labelRect(pos[i].x, pos[i].y, text, "right")
			if r.x1 > box.w {
				r = labelRect(pos[i].x, pos[i].y, text, "left")
			}
			merged := false
			for k, o := range placed {
				if r.overlaps(o) {
					j := placedBy[k]
					spots[j].text += ", " + text
					placed[k] = labelRect(pos[j].x, pos[j].y, spots[j].text, spots[j].position)
					merged = true
					break
				}
			}
			if merged {
				continue
			}
			best, bestPos = r, "right"
			if r.x0 < labelRect(pos[i].x, pos[i].y, text, "right").x0 {
				bestPos = "left"
			}
		}
		spots[i] = labelSpot{show: true, position: bestPos, text: text}
		placed, placedBy = append(placed, best), append(placedBy, i)
	}
	return spots
}

// spotLabel is a point's echarts label from its spot.
func spotLabel(sp labelSpot) map[string]any {
	label := map[string]any{"show": sp.show}
	if sp.show {
		label["position"] = sp.position
		label["formatter"] = strings.ReplaceAll(sp.text, "{", "(")
		label["fontSize"] = 10
		label["color"] = "#333"
	}
	return label
}
