package profile

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// The report reads profile files as this package's File (one definition), so
// what must hold is that a file survives the trip through Marshal and back.
func TestMarshalRoundTrips(t *testing.T) {
	f := &File{Model: "m", Batch: 2, Ceilings: Ceilings{PeakFLOPs: 1e12, MatmulN: 8},
		Layers: []Layer{{Name: "a", Kind: "conv", OutShape: []int{2, 3}, FwdFLOPs: 12, FwdMs: 0.5}}}
	b, err := Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var back File
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Layers, f.Layers) || back.Ceilings != f.Ceilings || back.Model != f.Model {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, *f)
	}
}

func TestFileName(t *testing.T) {
	for _, tc := range []struct {
		f    File
		want string
	}{
		{File{Model: "alexnet", Resize: 224, Batch: 128}, "alexnet-b128.json"},
		{File{Model: "alexnet", Resize: 112, Batch: 8}, "alexnet-r112-b8.json"},
		{File{Model: "lenet", Resize: 28, Batch: 2}, "lenet-b2.json"},
	} {
		if got := FileName(&tc.f); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.f, got, tc.want)
		}
	}
}
