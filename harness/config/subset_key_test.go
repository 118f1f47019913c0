package config

import "testing"

// A limit's subset rule is in the key, so a stratified cell never shares a
// key (and so never a folder, a shared result or a baseline) with one that
// took the file's first N; without a limit the rule changes nothing, and the
// key is the one it always was.
func TestSubsetRuleSeparatesLimitedCellsOnly(t *testing.T) {
	limited := MustDefault("alexnet")
	limited.TrainLimit, limited.TestLimit = 1024, 1000
	first := limited
	first.Subset = SubsetFirst
	if limited.Subset != SubsetStratified {
		t.Fatalf("default subset %q, want %q", limited.Subset, SubsetStratified)
	}
	if limited.Key("quick") == first.Key("quick") {
		t.Errorf("a limited stratified cell and a first-N one share key %s", first.Key("quick"))
	}
	whole := MustDefault("alexnet")
	wholeFirst := whole
	wholeFirst.Subset = SubsetFirst
	if whole.Key("full") != wholeFirst.Key("full") {
		t.Errorf("without a limit the subset rule changed the key: %s vs %s", whole.Key("full"), wholeFirst.Key("full"))
	}
	// A config.toml written before the key existed took the first N.
	var old Config
	old.FillAbsent()
	if old.Subset != SubsetFirst {
		t.Errorf("a config without subset reads as %q, want %q", old.Subset, SubsetFirst)
	}
	bad := limited
	bad.Subset = "random"
	if err := bad.Validate(); err == nil {
		t.Error(`subset "random" validated`)
	}
}
