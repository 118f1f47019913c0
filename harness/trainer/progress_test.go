package trainer

import (
	"bytes"
	stdctx "context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/creack/pty"

	"alexbench/harness/backend"
	"alexbench/harness/config"
)

// progressLeNet is the smallest real run: 256 training images, one epoch,
// 8 steps of 32.
func progressLeNet() config.Config {
	cfg := tinyLeNet()
	cfg.Epochs, cfg.BatchSize, cfg.TrainLimit, cfg.TestLimit = 1, 32, 256, 64
	return cfg
}

// Anywhere but a terminal (here a real file, as when stderr is redirected)
// progress is plain lines: compiling, the first step's time, and one line per
// epoch with that epoch's metrics; no bar and no carriage returns.
func TestProgressPlainLinesOffATerminal(t *testing.T) {
	set := loadRealData(t)
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := Train(stdctx.Background(), specOf(t, progressLeNet()), Options{Backend: goBackend(t), Info: backend.Info{Name: "go"}, Data: set, Progress: f})
	if err != nil || res.Outcome != OutcomeDone {
		t.Fatalf("train: %v %+v", err, res)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	e := res.Epochs[0]
	want := fmt.Sprintf("compiling the train step…\ncompiled: first train step took %.2f s\n"+
		"epoch 1/1: loss %.3f, train acc %.3f, test acc %.3f, %.1f examples/sec\n",
		res.FirstStepSeconds, e.TrainLoss, e.TrainAcc, e.TestAcc, e.ExamplesPerSec)
	if string(b) != want {
		t.Errorf("progress off a terminal:\n%q\nwant\n%q", b, want)
	}
}

// On a terminal (a real pty) each epoch draws a bar with the step count,
// elapsed time and ETA, the running loss and examples/s, then clears it for
// the epoch's line.
func TestProgressBarOnATerminal(t *testing.T) {
	set := loadRealData(t)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	var out bytes.Buffer
	copied := make(chan struct{})
	go func() { io.Copy(&out, ptmx); close(copied) }() // ends with EIO once tty is closed
	oldBar, oldLoss := barThrottle, lossEvery
	barThrottle, lossEvery = 0, 0 // draw every step with a fresh loss, whatever the speed
	defer func() { barThrottle, lossEvery = oldBar, oldLoss }()
	cfg := progressLeNet()
	cfg.Epochs = 2
	res, err := Train(stdctx.Background(), specOf(t, cfg), Options{Backend: goBackend(t), Info: backend.Info{Name: "go"}, Data: set, Progress: tty})
	tty.Close()
	<-copied
	if err != nil || res.Outcome != OutcomeDone {
		t.Fatalf("train: %v %+v", err, res)
	}
	got := out.String()
	for _, re := range []string{
		`^compiling the train step…\r?\ncompiled: first train step took \d+\.\d\d s\r?\n`,
		`\(2/8\)`, `\(7/8\)`, // the step count
		`\[\d+s:\d+s\]`, // elapsed and ETA
		`epoch 1/2  loss \d+\.\d{3}  \d+\.\d examples/s`,
		`epoch 2/2  loss \d+\.\d{3}  \d+\.\d examples/s`,
		`\repoch 1/2: loss \d+\.\d{3}, train acc`,
		`\repoch 2/2: loss \d+\.\d{3}, train acc`,
	} {
		if !regexp.MustCompile(re).MatchString(got) {
			t.Errorf("terminal output lacks %s:\n%q", re, got)
		}
	}
	// The bar's loss is the epoch's running mean: it changes from step to
	// step (a stale value would not).
	losses := map[string]bool{}
	for _, m := range regexp.MustCompile(`epoch 1/2  loss (\d+\.\d{3})`).FindAllStringSubmatch(got, -1) {
		losses[m[1]] = true
	}
	if len(losses) < 3 {
		t.Errorf("epoch 1 drew the losses %v; want one per step from the second on", losses)
	}
	if strings.Count(got, "compiling") != 1 {
		t.Errorf("compiling said %d times, want once", strings.Count(got, "compiling"))
	}
}
