package trainer

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress tells a person how a run goes: a "compiling…" line before the
// first train step and its time after it, then per epoch either a bar
// (elapsed, ETA, running loss, examples/s) on a terminal, or one plain line
// at the epoch's end anywhere else (a log file, a CI console), where a bar's
// carriage returns would be noise. A nil *progress reports nothing.
type progress struct {
	w      io.Writer
	tty    bool
	epochs int
	batch  int

	bar       *progressbar.ProgressBar
	barStart  time.Time // when the bar's steps began (after compilation in epoch 1)
	barSteps0 int       // steps already done when the bar began
	lossAt    time.Time // when the running loss was last read
	loss      float64
}

// lossEvery is how often the bar reads the running loss. Reading it waits for
// the device to finish the queued steps, so it is done a few times a second,
// not every step, and never in plain mode (whose timing it would perturb).
var lossEvery = 500 * time.Millisecond

// barThrottle is how often the bar redraws at most. Tests set it and
// lossEvery to 0 to see every step drawn with a fresh loss.
var barThrottle = 100 * time.Millisecond

// newProgress reports to w (nil: nothing); w is drawn on with a bar when it
// is a terminal.
func newProgress(w io.Writer, epochs, batch int) *progress {
	if w == nil {
		return nil
	}
	return &progress{w: w, tty: isTerminal(w), epochs: epochs, batch: batch}
}

// isTerminal tells whether w is a terminal: a file (os.Stderr, a pty) that
// term.IsTerminal accepts.
func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// compiling is said before the first train step, which compiles the graph
// (seconds on XLA, and more than a step on SimpleGo too).
func (p *progress) compiling() {
	if p == nil {
		return
	}
	fmt.Fprintln(p.w, "compiling the train step…")
}

// compiled is said after the first step, with its time (compilation included).
func (p *progress) compiled(seconds float64) {
	if p == nil {
		return
	}
	fmt.Fprintf(p.w, "compiled: first train step took %.2f s\n", seconds)
}

// step is called after train step `step` (1-based) of `steps` in epoch;
// runningLoss is asked for (and syncs with the device) only when the bar
// shows a new value.
func (p *progress) step(epoch, step, steps int, runningLoss func() float64) {
	if p == nil || !p.tty {
		return
	}
	desc := fmt.Sprintf("epoch %d/%d", epoch, p.epochs)
	if p.bar == nil {
		p.bar = progressbar.NewOptions(steps,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowCount(),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(barThrottle),
			progressbar.OptionClearOnFinish(), // the epoch's line replaces it
			progressbar.OptionShowDescriptionAtLineEnd(),
		)
		p.bar.StartWithoutRender()
		p.barStart, p.barSteps0, p.lossAt = time.Now(), step, time.Time{}
	}
	if now := time.Now(); now.Sub(p.lossAt) >= lossEvery || step == steps {
		p.loss, p.lossAt = runningLoss(), now
	}
	if sec := time.Since(p.barStart).Seconds(); step > p.barSteps0 && sec > 0 {
		desc += fmt.Sprintf("  loss %.3f  %.1f examples/s", p.loss, float64((step-p.barSteps0)*p.batch)/sec)
	}
	p.bar.Set(step) // the last step finishes the bar, and Describe then draws nothing
	p.bar.Describe(desc)
}

// epochDone ends the epoch's bar and prints its line (d2l's metrics).
func (p *progress) epochDone(e Epoch) {
	if p == nil {
		return
	}
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
		fmt.Fprint(p.w, "\r") // the cleared bar leaves the cursor mid-line
	}
	fmt.Fprintf(p.w, "epoch %d/%d: loss %.3f, train acc %.3f, test acc %.3f, %.1f examples/sec\n",
		e.Epoch, p.epochs, e.TrainLoss, e.TrainAcc, e.TestAcc, e.ExamplesPerSec)
}

// stop ends an unfinished bar (a failed or cancelled run) on its own line.
func (p *progress) stop() {
	if p == nil || p.bar == nil {
		return
	}
	p.bar.Exit()
	p.bar = nil
	fmt.Fprintln(p.w)
}
