package models

import (
	"fmt"
	"sync/atomic"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"alexbench/models/nn"
)

// NumClasses is Fashion-MNIST's.
const NumClasses = 10

// Model is a built architecture: its input shape and layer stack.
type Model struct {
	Name    string
	Options Options
	Input   nn.Shape // [Resize, Resize, 1]
	Layers  []Layer
}

// OptionError is a model that cannot be built because of one knob, named by
// its config key (resize, conv_layers, fc_width), so that a matrix error can
// point at the line that set it.
type OptionError struct {
	Key string
	Err error
}

func (e *OptionError) Error() string { return e.Err.Error() }
func (e *OptionError) Unwrap() error { return e.Err }

// optionErrorf is an OptionError for key with a formatted message.
func optionErrorf(key, format string, args ...any) error {
	return &OptionError{Key: key, Err: fmt.Errorf(format, args...)}
}

// builds counts Build calls (see Builds).
var builds atomic.Int64

// Builds is how many times Build has run in this process. A cell's layers
// are built once, when the cell is resolved, and everything downstream
// reuses them; the harness's tests read this counter to hold it so.
func Builds() int64 { return builds.Load() }

// Build looks name up and builds it with opts, checking that every layer's
// output is non-empty for the chosen input size.
func Build(name string, opts Options) (*Model, error) {
	builds.Add(1)
	e, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	layers, err := e.Build(opts)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", name, err)
	}
	m := &Model{Name: name, Options: opts, Input: nn.Shape{opts.Resize, opts.Resize, 1}, Layers: layers}
	s := m.Input
	for _, l := range layers {
		s = l.OutShape(s)
		for _, d := range s {
			if d < 1 {
				return nil, optionErrorf("resize", "model %s: input %d×%d is too small: layer %s would output %v (raise resize)",
					name, opts.Resize, opts.Resize, l.Name(), s)
			}
		}
	}
	if len(s) != 1 || s[0] != NumClasses {
		return nil, fmt.Errorf("model %s: final output %v, want [%d]", name, s, NumClasses)
	}
	return m, nil
}

// Forward maps images [B, R, R, 1] to logits [B, 10]. Variables live under
// ctx.In("model").
func (m *Model) Forward(ctx *context.Context, x *Node) *Node {
	return nn.Sequential(ctx.In("model"), m.Layers, x)
}

// LayerInfo is one row of a summary.
type LayerInfo struct {
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`
	Desc     string   `json:"desc"`
	InShape  nn.Shape `json:"in_shape"`
	OutShape nn.Shape `json:"out_shape"`
	Params   int64    `json:"params"`
	MACs     int64    `json:"macs"`
}

// Summary lists every layer with shapes, parameters and multiply-adds.
func (m *Model) Summary() []LayerInfo {
	var rows []LayerInfo
	s := m.Input
	for _, l := range m.Layers {
		out := l.OutShape(s)
		rows = append(rows, LayerInfo{
			Name: l.Name(), Kind: l.Kind(), Desc: fmt.Sprint(l),
			InShape: s, OutShape: out, Params: l.Params(s), MACs: l.MACs(s),
		})
		s = out
	}
	return rows
}

// Params is the total number of trainable parameters.
func (m *Model) Params() int64 {
	var n int64
	for _, r := range m.Summary() {
		n += r.Params
	}
	return n
}

// MACs is the total forward multiply-adds of one example.
func (m *Model) MACs() int64 {
	var n int64
	for _, r := range m.Summary() {
		n += r.MACs
	}
	return n
}
