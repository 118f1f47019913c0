package nvml

// timeline keeps the time series for nvml.csv in bounded memory by decimation:
// up to max points are kept at full resolution; when a point arrives at a full
// buffer, every other point is dropped and from then on only every stride-th sample is kept
// (stride doubles each time). The kept points stay evenly spaced over the
// whole run, so a long cell's chart keeps its shape at lower resolution, where
// a ring buffer would have lost the start (the ramp-up the chart is for). The
// summary statistics never read the timeline: they are streamed and exact.
// The newest point is always kept as well, so the series ends where the run did.
type timeline struct {
	max    int // even, ≥ 2
	stride int
	seen   int // samples offered so far
	points []point
	last   *point // the newest sample when it was not kept
}

func newTimeline(maxPoints int) *timeline {
	maxPoints = max(maxPoints, 2)
	maxPoints += maxPoints % 2
	return &timeline{max: maxPoints, stride: 1, points: make([]point, 0, min(maxPoints, 1024))}
}

func (tl *timeline) add(p point) {
	index := tl.seen
	tl.seen++
	if index%tl.stride == 0 && len(tl.points) == tl.max {
		// Full: keep every other point (those on the doubled stride).
		kept := tl.points[:0]
		for i := 0; i < len(tl.points); i += 2 {
			kept = append(kept, tl.points[i])
		}
		tl.points = kept
		tl.stride *= 2
	}
	if index%tl.stride != 0 {
		tl.last = &p
		return
	}
	tl.last = nil
	tl.points = append(tl.points, p)
}

// series is the kept points plus the newest one, oldest first (a copy).
func (tl *timeline) series() []point {
	out := make([]point, 0, len(tl.points)+1)
	out = append(out, tl.points...)
	if tl.last != nil {
		out = append(out, *tl.last)
	}
	return out
}
