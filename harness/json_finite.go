package harness

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
)

// nullMark stands in for a non-finite float while encoding: JSON has no NaN,
// and a diverged cell's loss is one. It is written as null (a Go reader
// decodes that as 0; the outcome and diverged_epoch say what happened).
const nullMark = math.MaxFloat64

var nullMarkJSON = []byte("1.7976931348623157e+308")

// marshalFinite is json.Marshal(Indent) that writes NaN and ±Inf in struct
// fields as null instead of failing.
func marshalFinite(v any, indent bool) ([]byte, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	cp := reflect.New(rv.Type()).Elem()
	cp.Set(rv)
	markNonFinite(cp)
	var b []byte
	var err error
	if indent {
		b, err = json.MarshalIndent(cp.Interface(), "", "  ")
	} else {
		b, err = json.Marshal(cp.Interface())
	}
	if err != nil {
		return nil, err
	}
	return bytes.ReplaceAll(b, nullMarkJSON, []byte("null")), nil
}

func markNonFinite(v reflect.Value) {
	switch v.Kind() {
	case reflect.Float64, reflect.Float32:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			v.SetFloat(nullMark)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				markNonFinite(f)
			}
		}
	}
}
