package harness

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"alexbench/nvml"
)

// eventSampler records the calls a runner makes; it implements Marker.
type eventSampler struct {
	mu     sync.Mutex
	events []string
}

func (s *eventSampler) add(e string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
}
func (s *eventSampler) Start(dir string) { s.add("start") }
func (s *eventSampler) Mark()            { s.add("mark") }
func (s *eventSampler) Stop() any {
	s.add("stop")
	return map[string]any{"method": "fake", "peak_mib": 42, "steady_peak_mib": 30}
}

// The runner brackets each cell with Start/Stop, forwards the trainer's
// first-step hook to a Marker in between, and stores what Stop returned with
// the analytic memory model beside it.
func TestRunnerMarksSamplerAfterFirstStep(t *testing.T) {
	f := newFakeTrainer()
	r := newTestRunner(t, f)
	s := &eventSampler{}
	r.Sampler = s
	ms := tiny(t)
	if _, err := r.Run(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
	cells := ms[0].Cells(ProfileQuick)
	want := slices.Repeat([]string{"start", "mark", "stop"}, len(cells))
	if !slices.Equal(s.events, want) {
		t.Errorf("sampler calls %s, want %s", strings.Join(s.events, ","), strings.Join(want, ","))
	}
	sum, err := ReadSummary(CellDir(r.Results, "tiny", cells[0].Key))
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := sum.Memory.(map[string]any); !ok || m["peak_mib"] != float64(42) {
		t.Errorf("summary memory %#v, want what Stop returned", sum.Memory)
	}
	if want := MemoryModelOf(cells[0].Config); want == nil || sum.MemoryModel == nil || *sum.MemoryModel != *want {
		t.Errorf("summary memory model %+v, want the estimate %+v", sum.MemoryModel, want)
	}
}

func TestPeakText(t *testing.T) {
	for _, tc := range []struct {
		name   string
		memory any
		want   string
	}{
		{"nvml summary", nvml.Summary{Method: nvml.MethodProcess, PeakMiB: 3210.4}, ", peak 3,210 MiB (nvml-process)"},
		{"read back from summary.json", map[string]any{"method": "rss", "peak_mib": 272.0}, ", peak 272 MiB (rss)"},
		{"no peak", nvml.Summary{Method: nvml.MethodRSS, PeakMiB: nvml.NaN()}, ""},
		{"null peak", map[string]any{"method": "rss", "peak_mib": nil}, ""},
		{"no sampler", nil, ""},
	} {
		if got := peakText(tc.memory); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
