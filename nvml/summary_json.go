package nvml

import (
	"encoding/json"
	"reflect"
)

// UnmarshalJSON reads a summary; a Num field the file does not have (an
// older alexbench wrote fewer) is missing, NaN, like a null one, not 0.
func (s *Summary) UnmarshalJSON(b []byte) error {
	type plain Summary // without this method
	p := (*plain)(s)
	*p = plain{}
	v := reflect.ValueOf(p).Elem()
	numType := reflect.TypeOf(Num(0))
	for i := 0; i < v.NumField(); i++ {
		if v.Field(i).Type() == numType {
			v.Field(i).Set(reflect.ValueOf(NaN()))
		}
	}
	return json.Unmarshal(b, p)
}
