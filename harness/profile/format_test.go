package profile

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// reportsFields is reports.ProfileFile's format (reports/profile_format.go),
// copied by hand: JSON name → value class. This package cannot import
// reports (the flow is harness → reports), so the copy is the contract; if
// reports changes its struct, change this list and File together.
var reportsFields = map[string]map[string]string{
	"file": {
		"model": "string", "batch": "int", "resize": "int", "dtype": "string", "backend": "string",
		"device": "string", "gomlx": "string", "alexbench": "string", "created": "string", "runs": "int",
		"ceilings": "object", "layers": "array",
	},
	"ceilings": {"peak_flops": "float", "peak_bytes_per_s": "float", "matmul_n": "int", "copy_bytes": "int"},
	"layer": {
		"name": "string", "kind": "string", "out_shape": "array", "params": "int", "param_bytes": "int",
		"act_bytes": "int", "fwd_flops": "int", "bwd_flops": "int", "min_bytes": "int", "intensity": "float",
		"fwd_ms": "float", "fwdbwd_ms": "float", "achieved_flops": "float", "achieved_bytes_per_s": "float",
	},
}

func class(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "int"
	case reflect.Float64, reflect.Float32:
		return "float"
	case reflect.Slice:
		return "array"
	case reflect.Struct:
		return "object"
	}
	return t.Kind().String()
}

// jsonFields maps each field's JSON name to its class and its tag options.
func jsonFields(t reflect.Type) map[string][2]string {
	out := map[string][2]string{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		out[name] = [2]string{class(f.Type), opts}
	}
	return out
}

// Every field the report reads is there, under its name, with a value of
// the class it decodes, and never left out of the JSON.
func TestFormatMatchesReports(t *testing.T) {
	for part, typ := range map[string]reflect.Type{
		"file": reflect.TypeOf(File{}), "ceilings": reflect.TypeOf(Ceilings{}), "layer": reflect.TypeOf(Layer{}),
	} {
		mine := jsonFields(typ)
		for name, want := range reportsFields[part] {
			got, ok := mine[name]
			switch {
			case !ok:
				t.Errorf("%s: field %q missing (the report reads it)", part, name)
			case got[0] != want:
				t.Errorf("%s.%s: class %s, the report decodes %s", part, name, got[0], want)
			case got[1] != "":
				t.Errorf("%s.%s: tag option %q: the report needs it always present", part, name, got[1])
			}
		}
	}
}

// The encoded file really carries those names (not only the struct tags).
func TestMarshalKeys(t *testing.T) {
	f := &File{Model: "m", Batch: 2, Layers: []Layer{{Name: "a", OutShape: []int{2, 3}}}}
	b, err := Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for name := range reportsFields["file"] {
		if _, ok := m[name]; !ok {
			t.Errorf("key %q not in the JSON", name)
		}
	}
	layer := m["layers"].([]any)[0].(map[string]any)
	for name := range reportsFields["layer"] {
		if _, ok := layer[name]; !ok {
			t.Errorf("layer key %q not in the JSON", name)
		}
	}
	ceil := m["ceilings"].(map[string]any)
	for name := range reportsFields["ceilings"] {
		if _, ok := ceil[name]; !ok {
			t.Errorf("ceilings key %q not in the JSON", name)
		}
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
