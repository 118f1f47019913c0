package nvml

import "math"

// histogram101 keeps integer percentages 0..100 exactly, so the mean and any
// percentile over an arbitrarily long run cost 101 counters.
type histogram101 struct {
	counts [101]int64
	n      int64
	sum    float64
}

func (h *histogram101) add(percent float64) {
	if math.IsNaN(percent) {
		return
	}
	i := int(math.Round(percent))
	i = min(max(i, 0), 100)
	h.counts[i]++
	h.n++
	h.sum += float64(i)
}

func (h *histogram101) merge(o *histogram101) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
}

func (h *histogram101) mean() float64 {
	if h.n == 0 {
		return math.NaN()
	}
	return h.sum / float64(h.n)
}

// percentile is the nearest-rank percentile: the smallest value v such that at
// least pct% of the samples are ≤ v (no interpolation, so it is a value that
// was actually observed). NaN without samples.
func (h *histogram101) percentile(pct int64) float64 {
	if h.n == 0 {
		return math.NaN()
	}
	rank := (pct*h.n + 99) / 100 // ceil(pct/100 · n), in integers to avoid 0.95·20 = 18.999…
	rank = max(rank, 1)
	var seen int64
	for v, c := range h.counts {
		seen += c
		if seen >= rank {
			return float64(v)
		}
	}
	return 100
}

// running keeps the mean and maximum of a series that may have gaps (NaN).
type running struct {
	n   int64
	sum float64
	max float64
}

func (r *running) add(v float64) {
	if math.IsNaN(v) {
		return
	}
	if r.n == 0 || v > r.max {
		r.max = v
	}
	r.n++
	r.sum += v
}

func (r *running) mean() float64 {
	if r.n == 0 {
		return math.NaN()
	}
	return r.sum / float64(r.n)
}

func (r *running) peak() float64 {
	if r.n == 0 {
		return math.NaN()
	}
	return r.max
}

// trapezoid integrates a series sampled at irregular times with the trapezoid
// rule, bridging gaps (NaN readings) between the valid samples on either side.
type trapezoid struct {
	lastT, lastV float64
	started      bool
	integral     float64
}

func (z *trapezoid) add(t, v float64) {
	if math.IsNaN(v) {
		return
	}
	if z.started {
		z.integral += (v + z.lastV) / 2 * (t - z.lastT)
	}
	z.lastT, z.lastV, z.started = t, v, true
}

// value is the integral so far; NaN until there are two samples to bridge.
func (z *trapezoid) value() float64 {
	if !z.started {
		return math.NaN()
	}
	return z.integral
}

// counterDelta is last − first of a monotonic counter (the energy counter).
type counterDelta struct {
	first, last float64
	started     bool
}

func (c *counterDelta) add(v float64) {
	if math.IsNaN(v) {
		return
	}
	if !c.started {
		c.first, c.started = v, true
	}
	c.last = v
}

func (c *counterDelta) value() float64 {
	if !c.started {
		return math.NaN()
	}
	return c.last - c.first
}
