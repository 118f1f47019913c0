package answers

import "strconv"

// sdBand is a mean line on a category x axis with a shaded ±1 sd band
// around it (the band only with more than one seed): the band is named
// name+" ± sd", the line name.
func sdBand(name, color string, cv curve) []Series {
	var out []Series
	if cv.N > 1 {
		lo, hi := make([]float64, len(cv.Mean)), make([]float64, len(cv.Mean))
		for i := range cv.Mean {
			lo[i], hi[i] = cv.Mean[i]-cv.SD[i], cv.Mean[i]+cv.SD[i]
		}
		out = append(out, Series{Name: name + " ± sd", Kind: SDBand, Color: color, Lo: lo, Hi: hi})
	}
	return append(out, Series{Name: name, Kind: Line, Color: color, Y: cv.Mean, Symbol: "circle", SymbolSize: 5, Width: 2})
}

// ciBand shades a curve's 95 % CI (lo–hi at xs) behind its line.
func ciBand(name, color string, xs, lo, hi []float64) Series {
	return Series{Name: name, Kind: Band, Color: color, X: xs, Lo: lo, Hi: hi}
}

// epochLabels are epoch numbers as category labels.
func epochLabels(eps []int) []string {
	s := make([]string, len(eps))
	for i, e := range eps {
		s[i] = strconv.Itoa(e)
	}
	return s
}
