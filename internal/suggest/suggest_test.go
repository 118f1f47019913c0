package suggest

import "testing"

func TestNearest(t *testing.T) {
	flags := []string{"activation", "batch", "batch-size", "epochs", "lr", "model", "normalize", "train-limit"}
	for _, tc := range []struct{ in, want string }{
		{"epoch", "epochs"},
		{"normalise", "normalize"},
		{"bacth", "batch"},
		{"trainlimit", "train-limit"},
		{"Model", "model"},
		{"lenet", ""},         // a model name, not a flag: nothing near
		{"x", ""},             // too short to guess from
		{"learning-rate", ""}, // a synonym is not a typo
	} {
		if got := Nearest(tc.in, flags); got != tc.want {
			t.Errorf("Nearest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := DidYouMean("alexnt", []string{"alexnet", "cnn28", "lenet", "resnet28"}, ""); got != " (did you mean alexnet?)" {
		t.Errorf("DidYouMean = %q", got)
	}
	if got := DidYouMean("relu", []string{"relu", "sigmoid"}, ""); got != "" {
		t.Errorf("an exact match is not a suggestion: %q", got)
	}
}
