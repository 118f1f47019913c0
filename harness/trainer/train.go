package trainer

import (
	"alexbench/internal/stats"
	stdctx "context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"alexbench/data"
	"alexbench/harness/backend"
	"alexbench/harness/cellspec"
	"alexbench/harness/config"
	"alexbench/models"
	"alexbench/models/nn"
)

// Hooks are called from the training loop, on its goroutine; each may be nil.
type Hooks struct {
	// OnEpoch is called after each epoch with its metrics.
	OnEpoch func(Epoch)
	// OnFirstStep is called once, when the first train step has finished on
	// the device: compilation, autotuning and their scratch memory are behind
	// it, so what a sampler sees from here on is the steady state.
	OnFirstStep func()
}

// Options are the run's surroundings, as opposed to the Config it trains.
type Options struct {
	// Backend runs the graphs; Info describes it (name, device, allocator,
	// XLA flags, CPU kernels) and goes into the Result whole.
	Backend backends.Backend
	Info    backend.Info
	// Data is the loaded dataset; callers load it once for many cells.
	Data *data.Set
	Hooks
	// ArtifactsDir, when set, receives conv1's filters and activation maps as PNGs.
	ArtifactsDir string
	// Progress, when set, is told how the run goes: "compiling…" and the first
	// step's time, then per epoch a bar when it is a terminal, or one line at
	// each epoch's end when it is not (see progress).
	Progress io.Writer
}

// Train runs cell's recipe on its layers and returns its per-epoch metrics. An error is
// returned only for problems before training starts (bad config, no data);
// anything that ends a started run (divergence, out-of-memory, a failure in
// GoMLX, cancellation) is reported in Result.Outcome and Result.Error.
func Train(ctx stdctx.Context, cell *cellspec.Spec, opts Options) (*Result, error) {
	r, err := newRun(cell, opts)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	res := r.res
	func() {
		defer func() {
			if p := recover(); p != nil {
				res.Outcome, res.Error = ClassifyError(fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
			}
		}()
		r.loop(ctx)
	}()
	res.WallSeconds = time.Since(start).Seconds()
	r.timing()
	r.finalize()
	return res, nil
}

// run holds one training run's state.
type run struct {
	cfg    config.Config
	opts   Options
	model  *models.Model
	mctx   *context.Context
	train  data.Split
	test   data.Split
	pipe   data.Pipeline
	batch  int
	res    *Result
	trainX *tensors.Tensor
	trainY *tensors.Tensor
	testX  *tensors.Tensor
	testY  *tensors.Tensor
	step   *context.Exec
	eval   *context.Exec
	prog   *progress // nil: no Progress writer
	// steadySteps are the steady-state steps' times in seconds (all but the
	// first of each epoch), for the median.
	steadySteps []float64
}

// newRun prepares cell's run. The cell was validated and its layers built
// when it was resolved (cellspec.New): they are used as they are.
func newRun(cell *cellspec.Spec, opts Options) (*run, error) {
	if opts.Backend == nil || opts.Data == nil {
		return nil, errors.New("trainer: Options.Backend and Options.Data are required")
	}
	cfg, m := cell.Config, cell.Model
	r := &run{cfg: cfg, opts: opts, model: m, batch: cfg.BatchSize}
	r.train, r.test = limit(opts.Data.Train, cfg.TrainLimit, cfg.Subset), limit(opts.Data.Test, cfg.TestLimit, cfg.Subset)
	if r.train.N < r.batch {
		return nil, &config.KeyError{Key: "batch_size", Err: fmt.Errorf("%d is larger than the %d training examples", r.batch, r.train.N)}
	}
	dtype := dtypes.Float32
	if cfg.Precision == "bf16" {
		dtype = dtypes.BFloat16
	}
	r.pipe = data.Pipeline{Resize: cfg.Resize, Normalize: cfg.Normalize, DType: dtype, Augment: cfg.Augment}
	r.mctx = context.New()
	if err := r.mctx.SetRNGStateFromSeed(cfg.Seed); err != nil {
		return nil, err
	}
	if err := nn.SetInit(r.mctx, cfg.Init); err != nil {
		return nil, &config.KeyError{Key: "init", Err: err}
	}
	r.res = &Result{Outcome: OutcomeDone, Params: m.Params(), Backend: opts.Info, CPUs: runtime.GOMAXPROCS(0),
		Subset: subsetRule(cfg.Subset), TestMajorityRate: r.test.MajorityRate()}
	return r, nil
}

// upload makes host tensors of both splits; GoMLX moves each to the device on
// first use and keeps it there, so the dataset crosses the bus once.
func (r *run) upload() {
	r.trainX, r.trainY = r.train.Tensors()
	r.testX, r.testY = r.test.Tensors()
}

func (r *run) loop(ctx stdctx.Context) {
	r.upload()
	stepsPerEpoch := r.train.N / r.batch // the last partial batch is dropped: one compiled shape
	r.step = context.MustNewExec(r.opts.Backend, r.mctx, trainStepFn(r.model, r.pipe, scheduleOf(r.cfg, r.cfg.Epochs*stepsPerEpoch)))
	r.eval = context.MustNewExec(r.opts.Backend, r.mctx.Reuse(), evalStepFn(r.model, r.pipe))
	r.prog = newProgress(r.opts.Progress, r.cfg.Epochs, r.batch)
	defer r.prog.stop()
	for epoch := 1; epoch <= r.cfg.Epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			r.res.Outcome, r.res.Error = OutcomeFailed, "cancelled: "+err.Error()
			return
		}
		perm := data.SeededPermutation(r.train.N, r.cfg.Seed, epoch)
		r.resetAccumulators()
		t0 := time.Now()
		for s := 0; s < stepsPerEpoch; s++ {
			if err := ctx.Err(); err != nil { // Ctrl-C: stop within a step, not an epoch
				r.res.Outcome, r.res.Error = OutcomeFailed, "cancelled: "+err.Error()
				return
			}
			idx := tensors.FromFlatDataAndDimensions(perm[s*r.batch:(s+1)*r.batch], r.batch)
			first := epoch == 1 && s == 0
			if first {
				r.prog.compiling()
			}
			ts := time.Now()
			out, err := r.step.Exec(r.trainX, r.trainY, idx)
			idx.FinalizeAll()
			if err != nil {
				r.res.Outcome, r.res.Error = ClassifyError(err)
				return
			}
			out[0].FinalizeAll()
			if first {
				r.res.FirstStepSeconds = r.syncedSince(ts)
				r.prog.compiled(r.res.FirstStepSeconds)
				if r.opts.OnFirstStep != nil {
					r.opts.OnFirstStep()
				}
			}
			if s > 0 {
				r.steadySteps = append(r.steadySteps, time.Since(ts).Seconds())
			}
			r.prog.step(epoch, s+1, stepsPerEpoch, r.runningLoss)
		}
		lossSum, correct, count := r.readAccumulators() // syncs with the device
		if l := load1(); l > r.res.Load1Max {
			r.res.Load1Max = l
		}
		trainSec := time.Since(t0).Seconds()
		te := time.Now()
		testAcc, err := r.evaluate()
		if err != nil {
			r.res.Outcome, r.res.Error = ClassifyError(err)
			return
		}
		evalSec := time.Since(te).Seconds()
		e := Epoch{
			Epoch: epoch, TrainLoss: lossSum / count, TrainAcc: correct / count, TestAcc: testAcc,
			ExamplesPerSec: count / trainSec, EpochSeconds: trainSec + evalSec,
			TrainSeconds: trainSec, EvalSeconds: evalSec,
		}
		if epoch == 1 {
			// The first epoch's rate includes compilation; d2l's doesn't have one.
			if rest := trainSec - r.res.FirstStepSeconds; stepsPerEpoch > 1 && rest > 0 {
				e.ExamplesPerSec = float64((stepsPerEpoch-1)*r.batch) / rest
			}
		}
		r.res.Epochs = append(r.res.Epochs, e)
		r.prog.epochDone(e)
		if r.opts.OnEpoch != nil {
			r.opts.OnEpoch(e)
		}
		if math.IsNaN(e.TrainLoss) || math.IsInf(e.TrainLoss, 0) {
			r.res.Outcome, r.res.DivergedEpoch = OutcomeDiverged, epoch
			r.res.Error = fmt.Sprintf("training loss became %v in epoch %d", e.TrainLoss, epoch)
			return
		}
	}
}

// timing fills the whole run's step time and training rate from the finished
// epochs' training wall time (which ends synchronized), the first step
// (compilation) excluded.
func (r *run) timing() {
	var sec float64
	var steps int
	per := r.train.N / r.batch
	for i, e := range r.res.Epochs {
		sec += e.TrainSeconds
		steps += per
		if i == 0 {
			sec -= r.res.FirstStepSeconds
			steps--
		}
	}
	if steps <= 0 || sec <= 0 {
		return
	}
	r.res.StepMillis = 1000 * sec / float64(steps)
	r.res.ExamplesPerSec = float64(steps*r.batch) / sec
	if len(r.steadySteps) > 0 {
		r.res.StepMillisMedian = 1000 * stats.Median(r.steadySteps)
	}
}

// syncedSince waits for the device to finish queued work (by reading an
// accumulator) and returns the seconds since t.
func (r *run) syncedSince(t time.Time) float64 {
	r.readAccumulators()
	return time.Since(t).Seconds()
}

func (r *run) resetAccumulators() {
	actx := r.mctx.In(accScope).Checked(false)
	for _, name := range []string{accLoss, accCorrect, accCount} {
		if v := actx.GetVariableByScopeAndName(actx.Scope(), name); v != nil {
			v.MustSetValue(tensors.FromValue(float64(0)))
		}
	}
}

func (r *run) readAccumulators() (lossSum, correct, count float64) {
	actx := r.mctx.In(accScope)
	get := func(name string) float64 {
		v := actx.GetVariableByScopeAndName(actx.Scope(), name)
		if v == nil {
			return 0
		}
		return tensors.ToScalar[float64](v.MustValue())
	}
	return get(accLoss), get(accCorrect), get(accCount)
}

// evaluate is test accuracy over the whole (limited) test split, in batches of
// the training batch size; the last one is padded and masked.
func (r *run) evaluate() (float64, error) {
	n, b := r.test.N, r.batch
	var correct float64
	for start := 0; start < n; start += b {
		idx := make([]int32, b)
		valid := make([]float32, b)
		for i := range idx {
			if start+i < n {
				idx[i], valid[i] = int32(start+i), 1
			}
		}
		it, vt := tensors.FromFlatDataAndDimensions(idx, b), tensors.FromFlatDataAndDimensions(valid, b)
		out, err := r.eval.Exec(r.testX, r.testY, it, vt)
		it.FinalizeAll()
		vt.FinalizeAll()
		if err != nil {
			return 0, err
		}
		correct += float64(tensors.ToScalar[float32](out[0]))
		out[0].FinalizeAll()
	}
	return correct / float64(n), nil
}

// runningLoss is the epoch's mean loss so far; it waits for the device.
func (r *run) runningLoss() float64 {
	lossSum, _, count := r.readAccumulators()
	if count == 0 {
		return math.NaN()
	}
	return lossSum / count
}

// finalize writes artifacts and frees device memory held by the run. A step
// that failed on the device may have taken the variables' buffers with it, so
// pictures are drawn only after a finished (or diverged) run, and any panic
// here is recorded rather than raised: the run's outcome is already decided.
func (r *run) finalize() {
	defer func() {
		if p := recover(); p != nil && r.res.Error == "" {
			r.res.Error = fmt.Sprintf("cleaning up: %v", p)
		}
	}()
	drawable := r.res.Outcome == OutcomeDone || r.res.Outcome == OutcomeDiverged
	if r.opts.ArtifactsDir != "" && len(r.res.Epochs) > 0 && drawable {
		if err := writeArtifacts(r, r.opts.ArtifactsDir); err != nil && r.res.Error == "" {
			r.res.Error = "artifacts: " + err.Error()
		}
	}
	for _, t := range []*tensors.Tensor{r.trainX, r.trainY, r.testX, r.testY} {
		if t != nil {
			t.FinalizeAll()
		}
	}
	if r.step != nil {
		r.step.Finalize()
	}
	if r.eval != nil {
		r.eval.Finalize()
	}
	r.mctx.Finalize()
	runtime.GC()
}
