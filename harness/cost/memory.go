package cost

import (
	"fmt"
	"strings"

	"alexbench/models/nn"
)

// Memory is the analytic training-memory model of one model at one
// batch size: what must be resident during a train step. Bytes throughout.
//
// Total = Params + Gradients + OptimizerState + Activations + Input + Transient.
//
// Not modelled, so a measured peak is expected above the prediction by: the CUDA
// context and cuDNN/cuBLAS handles (a few hundred MiB, in NVML's per-process
// number), XLA's allocator rounding and convolution workspaces, the dataset
// uploaded once to the device (harness), and on SimpleGo the im2col patch
// tensors of the fallback convolutions (k² × the input).
type Memory struct {
	Batch          int    `json:"batch"`
	BytesPerElem   int    `json:"bytes_per_elem"`
	Optimizer      string `json:"optimizer"`
	OptimizerSlots int    `json:"optimizer_slots"` // state tensors per parameter

	Layers []LayerMemory `json:"layers"`

	ParamBytes     int64 `json:"param_bytes"`
	GradBytes      int64 `json:"grad_bytes"`
	OptimizerBytes int64 `json:"optimizer_bytes"`
	// ActivationBytes is what the forward pass keeps for backward, each tensor
	// counted once even when several layers need it (see LayerMemory).
	ActivationBytes int64 `json:"activation_bytes"`
	// InputBytes is the input batch (B × in × bytesPerElem), live all step.
	InputBytes int64 `json:"input_bytes"`
	// TransientBytes is the backward pass's working set beyond the kept
	// activations: the gradient w.r.t. one layer's output and w.r.t. its input
	// exist together, so the largest (in + out) over the layers.
	TransientBytes int64 `json:"transient_bytes"`
	TotalBytes     int64 `json:"total_bytes"`

	// Notes are assumptions the model had to make (unknown optimizer or
	// layer kind, bad arguments).
	Notes []string `json:"notes,omitempty"`
}

// LayerMemory is one layer's share.
type LayerMemory struct {
	Name           string   `json:"name"`
	Kind           string   `json:"kind"`
	In             nn.Shape `json:"in"`
	Out            nn.Shape `json:"out"`
	Params         int64    `json:"params"`
	ParamBytes     int64    `json:"param_bytes"`
	GradBytes      int64    `json:"grad_bytes"`
	OptimizerBytes int64    `json:"optimizer_bytes"`
	// KeptBytes is everything this layer's backward needs from the forward
	// pass, by its rule, whoever else needs the same tensor.
	KeptBytes int64 `json:"kept_bytes"`
	// ActivationBytes is KeptBytes minus tensors already charged to an earlier
	// layer (or the input batch): the sum over layers is the model's total.
	ActivationBytes int64 `json:"activation_bytes"`
	// Rule says what the layer keeps and why.
	Rule string `json:"rule"`
}

// TotalMiB is TotalBytes in MiB, to set next to Summary.PeakMiB.
func (e Memory) TotalMiB() float64 { return mib(e.TotalBytes) }

// mib is bytes in MiB.
func mib(b int64) float64 { return float64(b) / (1 << 20) }

// BackwardKeeper lets a layer state how many elements per example its backward
// pass keeps, overriding the per-kind rule; for composite layers (resblock)
// whose insides the kind does not describe. The elements are counted at
// bytesPerElem and, not being layer-boundary tensors, never shared.
type BackwardKeeper interface {
	KeptForBackward(in nn.Shape) int64
}

// keepRule is what a layer kind keeps for backward, as the boundary tensors it
// reads (its input and/or output) plus tensors of its own.
type keepRule struct {
	input, output bool
	// alias: the output is the input's buffer under another shape (no copy).
	alias bool
	// maskBytesPerElem > 0: keeps a mask of the output's size at that many
	// bytes per element (not bytesPerElem).
	maskBytesPerElem int
	// channelStats: keeps 2 per-channel vectors (batch mean and variance).
	channelStats bool
	// outputMultiple: keeps this many extra tensors of the output's size.
	outputMultiple int
	why            string
}

// keepRules are the per-kind rules, from what the gradients need, as GoMLX's
// autodiff builds them (the backend we measure) rather than PyTorch's.
var keepRules = map[string]keepRule{
	"conv": {input: true,
		why: "input: dW is the correlation of the input with dy (dx needs only W)"},
	"dense": {input: true,
		why: "input: dW = xᵀ·dy (dx = dy·Wᵀ needs only W)"},
	"relu": {input: true,
		why: "input (not a 1-bit mask): GoMLX differentiates Max(x, 0) through NonNegativeIndicator(x), a full-precision tensor of x's size; PyTorch keeps the output instead, the same size"},
	"sigmoid": {output: true,
		why: "output: σ' = σ(1−σ) is computed from the output"},
	"maxpool": {input: true, output: true,
		why: "input + output as the argmax: XLA's SelectAndScatter recomputes the argmax from the input, the SimpleGo fallback compares the input with the output max; no int64 index tensor as in PyTorch"},
	"avgpool": {
		why: "nothing: dx spreads dy evenly over each window, which needs only shapes"},
	"globalavgpool": {
		why: "nothing: dx is dy / (H·W) broadcast, which needs only shapes"},
	"dropout": {maskBytesPerElem: 1,
		why: "the keep mask, 1 byte per element: GoMLX's dropout is Where(mask, 0, x), whose gradient needs only the boolean predicate"},
	"batchnorm": {input: true, channelStats: true,
		why: "input + the batch mean and variance per channel: dx re-normalizes x with the batch statistics"},
	"flatten": {alias: true,
		why: "nothing: a reshape, its output is its input's buffer"},
	"resblock": {input: true, outputMultiple: 5,
		why: "input + 5 output-sized tensors: the basic block conv-bn-relu-conv-bn-add-relu keeps the block input (conv1, skip) and, after it, bn1's, relu's, bn2's inputs and the final relu's input (conv2's input is relu's output, shared)"},
}

// optimizerSlots is how many parameter-sized state tensors an optimizer keeps.
func optimizerSlots(name string) (int, bool) {
	switch strings.ToLower(name) {
	case "", "sgd":
		return 0, true
	case "momentum", "sgd-momentum", "nesterov", "rmsprop", "adagrad":
		return 1, true
	case "adam", "adamw":
		return 2, true
	}
	return 0, false
}

// TrainingMemory predicts the training memory of layers applied to per-example input
// shape in, at the given batch size and element size (4 for float32, 2 for
// bfloat16; parameters, gradients, optimizer state and activations all use
// it), for optimizer "sgd" (no state), "momentum" (1× parameters), "adam"
// (2×), and the like.
//
// Activations kept for backward follow keepRules per layer Kind. Layer inputs
// and outputs are tensors shared between neighbours (a conv's input is the
// previous relu's output), so each is charged once, to the first layer that
// keeps it; the input batch is charged to Input, not to the first layer.
func TrainingMemory(layers []nn.Layer, in nn.Shape, batch int, bytesPerElem int, optimizer string) Memory {
	est := Memory{Batch: batch, BytesPerElem: bytesPerElem, Optimizer: optimizer}
	if batch < 1 || bytesPerElem < 1 {
		est.Notes = append(est.Notes, fmt.Sprintf("batch %d and bytes per element %d must both be ≥ 1: nothing modelled", batch, bytesPerElem))
		return est
	}
	slots, known := optimizerSlots(optimizer)
	if !known {
		est.Notes = append(est.Notes, fmt.Sprintf("unknown optimizer %q: counted without state", optimizer))
	}
	est.OptimizerSlots = slots
	B, bpe := int64(batch), int64(bytesPerElem)
	batchBytes := func(s nn.Shape) int64 { return B * s.Size() * bpe }

	// Boundary tensor i is the input (i = 0) or layer i's output; tensorID
	// maps an alias (flatten's output) to the buffer it shares.
	tensorID := []int{0}
	charged := map[int]bool{0: true}
	est.InputBytes = batchBytes(in)
	shape := in
	for i, l := range layers {
		out := l.OutShape(shape)
		kind := l.Kind()
		rule, ok := keepRules[kind]
		if !ok {
			rule = keepRule{input: true, why: "unknown kind: its input, as most layers with weights need"}
			est.Notes = append(est.Notes, fmt.Sprintf("layer %s: unknown kind %q, assumed to keep its input", l.Name(), kind))
		}
		if rule.alias {
			tensorID = append(tensorID, tensorID[i])
		} else {
			tensorID = append(tensorID, i+1)
		}
		params := l.Params(shape)
		lm := LayerMemory{
			Name: l.Name(), Kind: kind, In: shape, Out: out, Params: params,
			ParamBytes: params * bpe, GradBytes: params * bpe, OptimizerBytes: params * bpe * int64(slots),
			Rule: rule.why,
		}
		keep := func(boundary int, bytes int64) {
			lm.KeptBytes += bytes
			if id := tensorID[boundary]; !charged[id] {
				charged[id] = true
				lm.ActivationBytes += bytes
			}
		}
		own := func(bytes int64) { lm.KeptBytes += bytes; lm.ActivationBytes += bytes }
		if keeper, ok := l.(BackwardKeeper); ok {
			own(B * keeper.KeptForBackward(shape) * bpe)
			lm.Rule = "the layer's own count (KeptForBackward)"
		} else {
			if rule.input {
				keep(i, batchBytes(shape))
			}
			if rule.output {
				keep(i+1, batchBytes(out))
			}
			if rule.maskBytesPerElem > 0 {
				own(B * out.Size() * int64(rule.maskBytesPerElem))
			}
			if rule.channelStats && len(shape) > 0 {
				own(2 * int64(shape[len(shape)-1]) * bpe)
			}
			own(int64(rule.outputMultiple) * batchBytes(out))
		}
		est.TransientBytes = max(est.TransientBytes, batchBytes(shape)+batchBytes(out))
		est.ParamBytes += lm.ParamBytes
		est.GradBytes += lm.GradBytes
		est.OptimizerBytes += lm.OptimizerBytes
		est.ActivationBytes += lm.ActivationBytes
		est.Layers = append(est.Layers, lm)
		shape = out
	}
	est.TotalBytes = est.ParamBytes + est.GradBytes + est.OptimizerBytes + est.ActivationBytes + est.InputBytes + est.TransientBytes
	return est
}
