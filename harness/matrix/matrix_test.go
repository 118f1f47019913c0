package matrix

import (
	"reflect"
	"strings"
	"testing"

	"alexbench/harness/config"
)

func mustLoad(t *testing.T, path string) *Matrix {
	t.Helper()
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func labels(cells []Cell) []string {
	var out []string
	for _, c := range cells {
		out = append(out, c.Label())
	}
	return out
}

func TestExpandFollowsGitHubIncludeRules(t *testing.T) {
	m := mustLoad(t, "../../testdata/matrices/good/github-include.toml")
	// GitHub's documented result for the same include list, with its names
	// mapped to config keys (see the file's comment).
	want := []string{
		"lr=0.1 pool=max batchnorm=true dropout=0.2",
		"lr=0.1 pool=avg batchnorm=true dropout=0.1",
		"lr=0.2 pool=max dropout=0.2",
		"lr=0.2 pool=avg dropout=0.1",
		"lr=0.3",
		"lr=0.3 pool=max",
	}
	for _, profile := range Profiles {
		if got := labels(m.Cells(profile)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s cells:\n got %q\nwant %q", profile, got, want)
		}
	}
	c := m.Cells(ProfileFull)[4] // lr=0.3 alone: everything else is lenet's default
	def := config.MustDefault("lenet")
	def.LR = 0.3
	if c.Config != def {
		t.Errorf("lr=0.3 cell config = %+v, want lenet defaults with lr 0.3", c.Config)
	}
}

func TestExpandTinyAppliesExcludeIncludeSeedsAndProfiles(t *testing.T) {
	m := mustLoad(t, "../../testdata/matrices/good/tiny.toml")
	quick := m.Cells(ProfileQuick)
	want := []string{
		"activation=sigmoid pool=avg seed=1",
		"activation=relu pool=avg dropout=0.5 seed=1",
		"activation=relu pool=max dropout=0.5 seed=1",
		"activation=sigmoid pool=avg seed=2",
		"activation=relu pool=avg dropout=0.5 seed=2",
		"activation=relu pool=max dropout=0.5 seed=2",
	}
	if got := labels(quick); !reflect.DeepEqual(got, want) {
		t.Fatalf("quick cells:\n got %q\nwant %q", got, want)
	}
	c := quick[2].Config
	if c.Model != "lenet" || c.Activation != "relu" || c.Pool != "max" || c.Dropout != 0.5 || c.Seed != 1 ||
		c.Epochs != 2 || c.TrainLimit != 512 || c.TestLimit != 256 || c.BatchSize != 64 || c.LR != 0.1 {
		t.Errorf("quick cell 3 config = %+v", c)
	}
	// lr is not set, so it follows the activation (config.DefaultLR): ReLU
	// LeNet 0.1, sigmoid LeNet d2l's 0.9.
	if quick[0].Config.Activation != "sigmoid" || quick[0].Config.LR != 0.9 {
		t.Errorf("sigmoid cell lr %v, want 0.9", quick[0].Config.LR)
	}
	full := m.Cells(ProfileFull)
	if len(full) != 6 || full[2].Config.Epochs != 10 || full[2].Config.TrainLimit != 0 || full[2].Config.BatchSize != 256 {
		t.Errorf("full cell 3 = %+v", full[2].Config)
	}
	seen := map[string]bool{}
	for i := range quick {
		if quick[i].Key != quick[i].Config.Key(ProfileQuick) || len(quick[i].Key) != 16 {
			t.Errorf("cell %d key %q is not Config.Key(quick)", i, quick[i].Key)
		}
		if quick[i].Key == full[i].Key {
			t.Errorf("cell %d: quick and full share key %s", i, quick[i].Key)
		}
		seen[quick[i].Key] = true
	}
	if len(seen) != len(quick) {
		t.Errorf("duplicate keys among %d cells", len(quick))
	}
	again := mustLoad(t, "../../testdata/matrices/good/tiny.toml")
	if !reflect.DeepEqual(again.Cells(ProfileQuick), quick) {
		t.Error("loading twice gives different cells")
	}
}

func TestExpandWithoutAxes(t *testing.T) {
	tests := []struct {
		file    string
		profile string
		want    []string
	}{
		{"fixed-seeds", ProfileFull, []string{"seed=1", "seed=2", "seed=3"}},
		{"fixed-seeds", ProfileQuick, []string{"seed=1", "seed=2", "seed=3"}},
		{"include-only", ProfileFull, []string{"width=1", "width=0.5", "conv_layers=3"}},
		{"include-only", ProfileQuick, []string{"width=0.25", "width=0.125"}},
	}
	for _, tt := range tests {
		m := mustLoad(t, "../../testdata/matrices/good/"+tt.file+".toml")
		if got := labels(m.Cells(tt.profile)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s %s: got %q, want %q", tt.file, tt.profile, got, tt.want)
		}
	}
	m := mustLoad(t, "../../testdata/matrices/good/include-only.toml")
	if c := m.Cells(ProfileQuick)[1].Config; c.Resize != 67 || c.Width != 0.125 || c.FCWidth != 256 {
		t.Errorf("quick include cell = %+v", c)
	}
	if c := m.Cells(ProfileFull)[2].Config; c.Resize != 224 || c.ConvLayers != 3 || c.Width != 1 {
		t.Errorf("full include cell = %+v", c)
	}
}

func TestProfileListReplacesAxis(t *testing.T) {
	src := `name = "r"
description = "d"
[fixed]
model = "alexnet"
[axes]
resize = [224, 112]
[profile.quick]
resize = [67, 96, 128]
`
	m, err := Parse("r.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := labels(m.Cells(ProfileQuick)); strings.Join(got, ",") != "resize=67,resize=96,resize=128" {
		t.Errorf("quick: %q", got)
	}
	if got := labels(m.Cells(ProfileFull)); strings.Join(got, ",") != "resize=224,resize=112" {
		t.Errorf("full: %q", got)
	}
}

func TestLoadMatricesRefusesTwoWithOneName(t *testing.T) {
	_, err := LoadAll([]string{"../../testdata/matrices/good/tiny.toml", "../../testdata/matrices/good/tiny.toml"})
	if err == nil || !strings.Contains(err.Error(), `tiny.toml:2: key "name"`) {
		t.Errorf("err = %v", err)
	}
}

func TestResolveProfile(t *testing.T) {
	yes, no := func() bool { return true }, func() bool { return false }
	tests := []struct {
		in   string
		gpu  func() bool
		want string
		bad  bool
	}{
		{"auto", yes, ProfileFull, false},
		{"auto", no, ProfileCPU, false},
		{"auto", nil, ProfileCPU, false},
		{"quick", yes, ProfileQuick, false},
		{"cpu", yes, ProfileCPU, false},
		{"full", no, ProfileFull, false},
		{"medium", no, "", true},
	}
	for _, tt := range tests {
		got, err := ResolveProfile(tt.in, tt.gpu)
		if got != tt.want || (err != nil) != tt.bad {
			t.Errorf("ResolveProfile(%q) = %q, %v", tt.in, got, err)
		}
	}
}

func TestIncludeEntryHasItsOwnSeeds(t *testing.T) {
	m := mustLoad(t, "../../testdata/matrices/good/include-seeds.toml")
	want := []string{
		"model=alexnet seed=1", "model=lenet seed=1", "model=cnn28 seed=1",
		"model=alexnet seed=2", "model=lenet seed=2", "model=cnn28 seed=2",
		"model=lenet seed=3", "model=cnn28 seed=3",
		"model=lenet seed=4",
	}
	for _, profile := range Profiles {
		if got := labels(m.Cells(profile)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s cells:\n got %q\nwant %q", profile, got, want)
		}
	}
}
