package profile

import (
	"fmt"
	"strings"
)

// Roofs are the roofline's roofs a profile's layers are judged against: the
// measured ceilings, raised to what a layer was measured to reach where one
// ran faster. A raised roof means the ceiling measurement was only a lower
// bound of the machine's (a CPU's caches beat the copy; a fused kernel beats
// a plain matmul), and LowerBoundNote says so. The report draws these roofs
// and Answers classifies against them: one definition, so the words and the
// chart never disagree and no layer sits above its roof.
type Roofs struct {
	FLOPs, Bytes                 float64 // FLOP/s and bytes/s drawn and classified against
	MeasuredFLOPs, MeasuredBytes float64
	FLOPsRaisedBy, BytesRaisedBy string // the layer that raised each roof, "" if none
}

// Roofs computes f's roofs; both are 0 when the ceilings were not measured.
func (f *File) Roofs() Roofs {
	c := f.Ceilings
	r := Roofs{FLOPs: c.PeakFLOPs, Bytes: c.PeakBytesPerS, MeasuredFLOPs: c.PeakFLOPs, MeasuredBytes: c.PeakBytesPerS}
	if r.FLOPs <= 0 || r.Bytes <= 0 {
		return Roofs{}
	}
	for _, l := range f.Layers {
		if l.AchievedFLOPs > r.FLOPs {
			r.FLOPs, r.FLOPsRaisedBy = l.AchievedFLOPs, l.Name
		}
	}
	for _, l := range f.Layers {
		if l.Intensity > 0 && l.AchievedFLOPs > 0 && l.AchievedFLOPs/l.Intensity > r.Bytes {
			// Above the bandwidth roof at its intensity: it moved its
			// minimum bytes faster than the copy did (caches).
			r.Bytes, r.BytesRaisedBy = l.AchievedFLOPs/l.Intensity, l.Name
		}
	}
	return r
}

// Ridge is the intensity (FLOP/byte) where the roofs meet; 0 if unmeasured.
func (r Roofs) Ridge() float64 {
	if r.Bytes <= 0 || r.FLOPs <= 0 {
		return 0
	}
	return r.FLOPs / r.Bytes
}

// LowerBoundNote says which measured roof a layer outran ("" if none), as an
// aside set off by dashes.
func (r Roofs) LowerBoundNote() string {
	var parts []string
	if r.FLOPsRaisedBy != "" {
		parts = append(parts, fmt.Sprintf("%s ran at %s/s, above the matmul's, so the compute roof is at least that", r.FLOPsRaisedBy, si(r.FLOPs, "FLOP")))
	}
	if r.BytesRaisedBy != "" {
		parts = append(parts, fmt.Sprintf("%s moved its minimum bytes at %s/s, above the copy's (caches), so the bandwidth roof is at least that", r.BytesRaisedBy, si(r.Bytes, "B")))
	}
	if len(parts) == 0 {
		return ""
	}
	return " — lower bounds: " + strings.Join(parts, "; ") + " —"
}
