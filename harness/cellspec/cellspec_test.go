package cellspec

import (
	"errors"
	"testing"

	"alexbench/harness/config"
	"alexbench/models"
)

func TestNewBuildsOnceAndDerivesTheRest(t *testing.T) {
	cfg := config.MustDefault("lenet")
	cfg.TrainLimit, cfg.TestLimit, cfg.Epochs = 512, 256, 2
	before := models.Builds()
	s, err := New(cfg, "quick")
	if err != nil {
		t.Fatal(err)
	}
	if n := models.Builds() - before; n != 1 {
		t.Errorf("New built the model %d times, want once", n)
	}
	if s.Key != cfg.Key("quick") || s.Config != cfg {
		t.Errorf("key %s, config %+v; want %s and the config given", s.Key, s.Config, cfg.Key("quick"))
	}
	if s.Compute.TrainExamples != 512 || s.Compute.TestExamples != 256 || s.Compute.Epochs != 2 ||
		s.Compute.MACsPerExample != s.Model.MACs() || s.Compute.MACsPerExample <= 0 {
		t.Errorf("compute %+v, model MACs %d", s.Compute, s.Model.MACs())
	}
	if s.Memory == nil || s.Memory.TotalMiB <= 0 {
		t.Errorf("memory model %+v", s.Memory)
	}
	on := s.OnBackend("go")
	if on.Config.Backend != "go" || on.Model != s.Model || on.Key != s.Key || s.Config.Backend != cfg.Backend {
		t.Errorf("OnBackend: %+v (original backend now %q)", on.Config, s.Config.Backend)
	}
}

func TestNewRejects(t *testing.T) {
	bad := config.MustDefault("lenet")
	bad.Epochs = 0
	var ke *config.KeyError
	if _, err := New(bad, "quick"); !errors.As(err, &ke) || ke.Key != "epochs" {
		t.Errorf("epochs 0: %v, want a key error naming epochs", err)
	}
	small := config.MustDefault("alexnet")
	small.Resize = 32 // AlexNet's pooling chain needs more
	var oe *models.OptionError
	if _, err := New(small, "quick"); !errors.As(err, &oe) || oe.Key != "resize" {
		t.Errorf("AlexNet at 32: %v, want an option error naming resize", err)
	}
}
