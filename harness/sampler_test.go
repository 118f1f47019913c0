package harness

import (
	"alexbench/harness/matrix"
	"alexbench/harness/results"
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
func (s *eventSampler) Stop() nvml.Summary {
	s.add("stop")
	return nvml.Summary{Method: "fake", PeakMiB: 42, SteadyPeakMiB: 30, StartMiB: nvml.NaN()}
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
	cells := ms[0].Cells(matrix.ProfileQuick)
	want := slices.Repeat([]string{"start", "mark", "stop"}, len(cells))
	if !slices.Equal(s.events, want) {
		t.Errorf("sampler calls %s, want %s", strings.Join(s.events, ","), strings.Join(want, ","))
	}
	sum, err := results.ReadSummary(results.CellDir(r.Results, "tiny", cells[0].Key))
	if err != nil {
		t.Fatal(err)
	}
	if m := sum.Memory; m == nil || m.PeakMiB != 42 || m.Method != "fake" || m.StartMiB.Valid() {
		t.Errorf("summary memory %#v, want what Stop returned", sum.Memory)
	}
	if want := cells[0].Memory; want == nil || sum.MemoryModel == nil || *sum.MemoryModel != *want {
		t.Errorf("summary memory model %+v, want the estimate %+v", sum.MemoryModel, want)
	}
}

func TestPeakText(t *testing.T) {
	for _, tc := range []struct {
		name   string
		memory *nvml.Summary
		want   string
	}{
		{"nvml summary", &nvml.Summary{Method: nvml.MethodProcess, PeakMiB: 3210.4}, ", peak 3,210 MiB (nvml-process)"},
		{"rss", &nvml.Summary{Method: nvml.MethodRSS, PeakMiB: 272}, ", peak 272 MiB (rss)"},
		{"no peak", &nvml.Summary{Method: nvml.MethodRSS, PeakMiB: nvml.NaN()}, ""},
		{"no sampler", nil, ""},
	} {
		if got := peakText(&results.Summary{Memory: tc.memory}); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
