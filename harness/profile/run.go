package profile

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/gomlx/gomlx/backends"

	"alexbench/harness/backend"
	"alexbench/models"
)

// Options say what to profile and how.
type Options struct {
	Model  string
	Resize int // input side; 0 = the model's default
	Batch  int

	Backend backends.Backend
	Info    backend.Info
	Timing  Timing
	// Measure false computes only (no graph is compiled or run).
	Measure bool
	// Versions of what built the binary, copied into the file.
	GoMLX, Alexbench string
	// Progress, when set, gets one line per layer measured.
	Progress io.Writer
}

// BuildModel builds name with its default options and the given input side
// (0 keeps the default).
func BuildModel(name string, resize int) (*models.Model, error) {
	e, err := models.Lookup(name)
	if err != nil {
		return nil, err
	}
	o := e.Defaults
	if resize > 0 {
		o.Resize = resize
	}
	return models.Build(name, o)
}

// Run profiles one model at one batch size. ceil are the device's ceilings,
// measured once per invocation (MeasureCeilings) and shared by every batch
// size; a zero value leaves the layers unclassified. A layer whose
// measurement fails (say, out of memory at a large batch) keeps its computed
// columns, FwdMs = 0, and the error in File.Problem; only a model that cannot
// be built or computed is an error.
func Run(o Options, ceil Ceilings) (*File, error) {
	start := time.Now()
	m, err := BuildModel(o.Model, o.Resize)
	if err != nil {
		return nil, err
	}
	rows, tot, err := Compute(m, o.Batch)
	if err != nil {
		return nil, err
	}
	f := &File{
		Model: m.Name, Batch: o.Batch, Resize: m.Options.Resize, DType: "float32",
		Backend: o.Info.Name, Device: o.Info.Device, GoMLX: o.GoMLX, Alexbench: o.Alexbench,
		Ceilings: ceil, Layers: rows, Totals: tot, Warmup: o.Timing.Warmup,
	}
	if o.Measure {
		for i, l := range m.Layers {
			r := &f.Layers[i]
			lt, err := measureLayer(o.Backend, l, r.InShape, r.OutShape, r.InputGrad, o.Timing, uint64(i+1))
			if err != nil {
				f.Problem = err.Error()
				if o.Progress != nil {
					fmt.Fprintf(o.Progress, "  %-8s not measured: %v\n", r.Name, err)
				}
				continue
			}
			r.FwdMs, r.FwdBwdMs, r.FwdRuns, r.FwdBwdRuns = lt.fwdMs, lt.fwdBwdMs, lt.fwdRuns, lt.fwdBwdRuns
			r.InferMs, r.InferRuns = lt.inferMs, lt.inferRuns
			if o.Progress != nil {
				fmt.Fprintf(o.Progress, "  %-8s fwd %9.3f ms (%d runs)  inference %9.3f ms (%d runs)  fwd+bwd %9.3f ms (%d runs)\n",
					r.Name, r.FwdMs, r.FwdRuns, r.InferMs, r.InferRuns, r.FwdBwdMs, r.FwdBwdRuns)
			}
		}
	}
	derive(f)
	f.Answers = Answers(f)
	f.Notes = notes(f, o.Measure)
	f.Created = time.Now().UTC().Format(time.RFC3339)
	f.WallS = time.Since(start).Seconds()
	return f, nil
}

// derive fills the columns that follow from the times and the ceilings:
// achieved rates first, then each layer's bound and roof fraction against
// the roofs those rates may have raised (File.Roofs), so no layer is ever
// above its roof.
func derive(f *File) {
	f.Runs = 0
	f.Totals.FwdMs, f.Totals.FwdBwdMs, f.Totals.InferMs = 0, 0, 0
	for i := range f.Layers {
		l := &f.Layers[i]
		if l.FwdMs > 0 {
			s := l.FwdMs / 1000
			l.AchievedFLOPs = float64(l.FwdFLOPs) / s
			l.AchievedBytesPerSec = float64(l.MinBytes) / s
			f.Totals.FwdMs += l.FwdMs
			if f.Runs == 0 || l.FwdRuns < f.Runs {
				f.Runs = l.FwdRuns
			}
		}
		f.Totals.InferMs += l.InferMs
		if l.FwdBwdMs > 0 {
			l.FwdBwdAchievedFLOP = float64(l.FwdFLOPs+l.BwdFLOPs) / (l.FwdBwdMs / 1000)
			f.Totals.FwdBwdMs += l.FwdBwdMs
			if f.Runs == 0 || l.FwdBwdRuns < f.Runs {
				f.Runs = l.FwdBwdRuns
			}
		}
	}
	classify(f)
}

// classify sets each layer's bound and roof fraction against f's roofs. The
// report's loader runs it too, so a file written before the roofs could be
// raised reads by today's rule.
func classify(f *File) {
	roofs := f.Roofs()
	ridge := roofs.Ridge()
	for i := range f.Layers {
		l := &f.Layers[i]
		l.Bound, l.RoofFraction = "", 0
		if ridge > 0 && l.FwdFLOPs > 0 {
			l.Bound = "compute"
			if l.Intensity < ridge {
				l.Bound = "memory"
			}
			if l.FwdMs > 0 {
				l.RoofFraction = l.AchievedFLOPs / math.Min(roofs.FLOPs, l.Intensity*roofs.Bytes)
			}
		}
	}
}

func notes(f *File, measured bool) []string {
	n := []string{
		"FLOPs count 2 × multiply-adds (unlike fvcore/thop, which report MACs). Backward of conv/dense layers: dW and dX, each as many FLOPs as the forward; the first layer computes no input gradient (1×). Pooling: one comparison/add per window element each way; ReLU/dropout one op per element each way.",
		"Activation bytes are what the backward pass keeps (cost.TrainingMemory's per-kind rules, as GoMLX's autodiff needs them), each tensor charged to the first layer that keeps it; the input batch is counted apart (totals.input_bytes).",
		"min_bytes = (input + weights + output) × 4 bytes, for the forward pass; intensity = fwd_flops / min_bytes.",
	}
	if measured {
		n = append(n, "Inference: each layer's forward pass compiled again with training off (dropout off, no gradient, nothing kept for backward): infer_ms. Its memory is the weights plus the largest input + output of any one layer (infer_live_bytes): a sequential net frees each activation once the next layer has read it. Training holds weights, gradients, every kept activation and the input batch (totals.train_bytes).")
		n = append(n, fmt.Sprintf("Each layer is compiled alone on its real input shape and timed in training mode (dropout on): forward, and forward + backward (gradients w.r.t. its weights and, but for the first layer, its input; the output gradient is a fixed random tensor). After the compiling run and %d warm-up runs, the median of the timed runs (count per layer in fwd_runs/fwdbwd_runs); each run reads a scalar back, so it includes the device's completion.", f.Warmup))
	} else {
		n = append(n, "Computed only: no layer was measured.")
	}
	return n
}
