package profile

import (
	"fmt"

	"alexbench/harness/cost"
	"alexbench/models"
	"alexbench/models/nn"
)

// BytesPerElem is float32's: the profile runs every layer in float32.
const BytesPerElem = 4

// flops is a layer's FLOP count for one batch of B examples. inputGrad is
// false for the first layer, whose input gradient nothing needs (the trainer
// never asks for it).
func flops(l nn.Layer, in, out nn.Shape, B int64, inputGrad bool) (fwd, bwd int64, rule string) {
	macs, inElems, outElems := B*l.MACs(in), B*in.Size(), B*out.Size()
	switch p := l.(type) {
	case nn.Pool2D:
		// The summary counts no multiply-adds for pooling (torchinfo's
		// convention); it does one comparison or add per window element, and
		// the backward routes or spreads dy over the same windows.
		fwd = outElems * int64(p.Window*p.Window)
		bwd, rule = fwd, "one comparison/add per window element forward, as many backward"
	case nn.GlobalAvgPool:
		fwd, bwd, rule = inElems, inElems, "one add per input element forward, one scaled copy backward"
	default:
		switch l.Kind() {
		case "conv", "dense":
			fwd = 2 * macs
			if inputGrad {
				return fwd, 2 * fwd, "2·MACs forward; backward dW + dX, each as many FLOPs as the forward (bias adds not counted)"
			}
			return fwd, fwd, "2·MACs forward; backward dW only (first layer: no input gradient), as many FLOPs as the forward (bias adds not counted)"
		case "relu":
			fwd, bwd, rule = outElems, outElems, "one max per element forward, one select per element backward"
		case "sigmoid":
			fwd, bwd, rule = 4*outElems, 3*outElems, "4 per element forward (neg, exp, add, div), 3 backward (σ(1−σ)·dy)"
		case "dropout":
			fwd, bwd, rule = outElems, outElems, "one scale per element forward (the random draw not counted), one select backward"
		case "flatten":
			return 0, 0, "none: a reshape"
		default: // batchnorm, resblock (one row, sub-layers summed) and kinds added later
			fwd = 2 * macs
			if inputGrad {
				return fwd, 2 * fwd, "2·MACs forward (the summary's count), backward 2× forward"
			}
			return fwd, fwd, "2·MACs forward (the summary's count), backward 1× forward (first layer: no input gradient)"
		}
	}
	if !inputGrad {
		bwd = 0
		rule += " (first layer without weights: no backward)"
	}
	return fwd, bwd, rule
}

// Compute fills every static column of m's layers at batch size batch:
// shapes, parameters and their bytes, activation bytes kept for backward (as
// cost.TrainingMemory charges them), FLOPs, minimum bytes and intensity. A residual
// block is one row, its sub-layers summed, as in the models summary.
func Compute(m *models.Model, batch int) ([]Layer, Totals, error) {
	if batch < 1 {
		return nil, Totals{}, fmt.Errorf("batch %d: must be ≥ 1", batch)
	}
	B := int64(batch)
	est := cost.TrainingMemory(m.Layers, m.Input, batch, BytesPerElem, "sgd")
	if len(est.Notes) > 0 {
		return nil, Totals{}, fmt.Errorf("memory model of %s: %v", m.Name, est.Notes)
	}
	sum := m.Summary()
	tot := Totals{InputBytes: est.InputBytes}
	rows := make([]Layer, len(sum))
	for i, s := range sum {
		inElems, outElems := B*s.InShape.Size(), B*s.OutShape.Size()
		fwd, bwd, rule := flops(m.Layers[i], s.InShape, s.OutShape, B, i > 0)
		l := Layer{
			Name: s.Name, Kind: s.Kind,
			InShape:  append([]int{batch}, s.InShape...),
			OutShape: append([]int{batch}, s.OutShape...),
			Params:   s.Params, ParamBytes: s.Params * BytesPerElem,
			ActBytes: est.Layers[i].ActivationBytes,
			FwdFLOPs: fwd, BwdFLOPs: bwd, MACs: B * s.MACs,
			MinBytes:  (inElems + outElems + s.Params) * BytesPerElem,
			InputGrad: i > 0, Rule: rule,
			InferLiveBytes: (inElems + outElems) * BytesPerElem,
		}
		if l.MinBytes > 0 {
			l.Intensity = float64(l.FwdFLOPs) / float64(l.MinBytes)
		}
		rows[i] = l
		tot.Params += l.Params
		tot.ParamBytes += l.ParamBytes
		tot.ActBytes += l.ActBytes
		tot.FwdFLOPs += l.FwdFLOPs
		tot.BwdFLOPs += l.BwdFLOPs
		tot.MinBytes += l.MinBytes
		tot.MACs += l.MACs
	}
	var live int64
	for _, l := range rows {
		live = max(live, l.InferLiveBytes)
	}
	tot.InferPeakBytes = tot.ParamBytes + live
	tot.TrainBytes = 2*tot.ParamBytes + tot.ActBytes + tot.InputBytes
	tot.SummaryParams = m.Params()
	tot.SummaryMACs = B * m.MACs()
	return rows, tot, nil
}
