package matrix

import "encoding/json"

// MarshalJSON writes a Param as {"key": …, "value": …} (matrix.json, which
// results writes and reports reads).
func (p Param) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Key   string `json:"key"`
		Value any    `json:"value"`
	}{p.Key, p.Value})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (p *Param) UnmarshalJSON(b []byte) error {
	var v struct {
		Key   string `json:"key"`
		Value any    `json:"value"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	p.Key, p.Value = v.Key, v.Value
	return nil
}
