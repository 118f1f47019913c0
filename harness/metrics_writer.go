package harness

import (
	"errors"
	"sync"

	"alexbench/harness/claim"
	"alexbench/harness/results"
	"alexbench/harness/trainer"
)

// metricsWriter persists metrics.jsonl after every epoch in the cell's
// staging folder, so a killed cell
// still shows its curve. The trainer may call onEpoch from any goroutine.
// Each write first refreshes the cell's claim: a runner whose claim was taken
// over writes nothing more into the folder; nor does one after close.
type metricsWriter struct {
	dir     string
	claim   *claim.Claim      // nil: no claim to check
	pause   func(step string) // claim.Options.Pause (tests), called as StepMetrics
	mu      sync.Mutex
	written []trainer.Epoch
	closed  bool
}

func (m *metricsWriter) onEpoch(e trainer.Epoch) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.written = append(m.written, e)
	if m.closed {
		return
	}
	if m.claim != nil && errors.Is(m.claim.Heartbeat(), claim.ErrLost) {
		return
	}
	if m.pause != nil {
		m.pause(StepMetrics)
	}
	// A failed write is retried by the final results.WriteMetrics, which
	// stops the sweep if the results tree really cannot be written.
	results.WriteMetrics(m.dir, m.written)
}

func (m *metricsWriter) epochs() []trainer.Epoch {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]trainer.Epoch(nil), m.written...)
}

// close stops every later write (a trainer left running after an interrupt,
// or one that lost its claim, may still report epochs).
func (m *metricsWriter) close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
}
