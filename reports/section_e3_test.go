//go:build legacy

package reports

import (
	"strings"
	"testing"
)

func TestE3ModelLine(t *testing.T) {
	pt := func(batch int, peak, steady, model float64) *batchPoint {
		p := &batchPoint{batch: batch, mem: stat{Mean: peak, N: 1}, model: stat{Mean: model, N: 1}, ratio: stat{Mean: peak / model, N: 1}}
		if steady > 0 {
			p.steady = stat{Mean: steady, N: 1}
		}
		return p
	}
	tests := []struct {
		name    string
		points  []*batchPoint
		methods distinct
		want    string
	}{
		{"GPU with steady peaks", []*batchPoint{pt(32, 2000, 1000, 500), pt(512, 9000, 4000, 4000)}, distinct{"nvml-process": 2},
			"Measured peak memory is 2.25×–4.00× the analytic memory model; over the samples after the first train step 1.00×–2.00×; " +
				"from the smallest to the largest batch it grew 2.00× as much as the model."},
		{"CPU resident memory", []*batchPoint{pt(16, 250, 0, 10), pt(256, 1250, 0, 60)}, distinct{"rss": 2},
			"Measured peak memory is 21×–25× the analytic memory model; from the smallest to the largest batch it grew 20× as much as the model. On a CPU the peak"},
		{"one batch: no growth", []*batchPoint{pt(128, 3000, 0, 1500)}, distinct{"nvml-process": 1},
			"Measured peak memory is 2.00× the analytic memory model."},
		{"peak fell as the batch grew: no growth claim", []*batchPoint{pt(32, 5000, 0, 500), pt(512, 4000, 0, 4000)}, distinct{"nvml-process": 2},
			"Measured peak memory is 1.00×–10× the analytic memory model."},
		{"no model recorded", []*batchPoint{{batch: 16, mem: stat{Mean: 250, N: 1}}}, distinct{"rss": 1}, ""},
	}
	for _, tc := range tests {
		got := e3ModelLine([]*batchSeries{{name: "s", points: tc.points}}, tc.methods)
		if (tc.want == "") != (got == "") || !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q…", tc.name, got, tc.want)
		}
	}
}
