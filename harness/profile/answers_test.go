package profile

import (
	"strings"
	"testing"
)

// At the crossover batch a dense layer's intensity reaches the ridge, one
// batch earlier it does not.
func TestDenseCrossover(t *testing.T) {
	intensity := func(b, k, n int64) float64 {
		return float64(2*b*k*n) / float64(BytesPerElem*(b*k+k*n+b*n))
	}
	for _, tc := range []struct {
		k, n int64
		r    float64
	}{
		{6400, 4096, 10}, {4096, 4096, 60}, {4096, 10, 2}, {120, 84, 5},
	} {
		b, ok := denseCrossover(tc.k, tc.n, tc.r)
		if !ok {
			t.Errorf("%+v: no crossover", tc)
			continue
		}
		if intensity(int64(b), tc.k, tc.n) < tc.r || (b > 1 && intensity(int64(b-1), tc.k, tc.n) >= tc.r) {
			t.Errorf("%+v: crossover %d: intensity %.3f there, %.3f one batch before", tc, b,
				intensity(int64(b), tc.k, tc.n), intensity(int64(b-1), tc.k, tc.n))
		}
	}
	// 4096 → 10 can never pass 2·10/4 = 5 FLOP/byte.
	if b, ok := denseCrossover(4096, 10, 6); ok {
		t.Errorf("4096→10 reaches 6 FLOP/byte at batch %d", b)
	}
}

// The answers follow the numbers: shares, the ridge split and the dense
// crossovers.
func TestAnswersFromNumbers(t *testing.T) {
	m, err := BuildModel("alexnet", 0)
	if err != nil {
		t.Fatal(err)
	}
	rows, tot, err := Compute(m, 128)
	if err != nil {
		t.Fatal(err)
	}
	f := &File{Model: "alexnet", Batch: 128, Resize: 224, Layers: rows, Totals: tot, Device: "test",
		Ceilings: Ceilings{PeakFLOPs: 50e12, PeakBytesPerS: 2.5e12, MatmulN: 8192}} // ridge 20
	derive(f)
	ans := Answers(f)
	if len(ans) != 4 {
		t.Fatalf("%d answers", len(ans))
	}
	for i, want := range []string{
		"fully connected part holds 92.0 % of the parameter bytes",
		"95.4 % of it in the convolutional part",
		"ridge at 20.0 FLOP/byte",
	} {
		if !strings.Contains(ans[i], want) {
			t.Errorf("answer %d lacks %q:\n%s", i, want, ans[i])
		}
	}
	// Batch 128: fc6's intensity is 2·128·6400·4096 / (4·(128·6400 + 6400·4096 + 128·4096)) ≈ 62 > 20.
	if !strings.Contains(ans[2], "compute-bound: conv1, conv2, conv3, conv4, conv5, fc6, fc7") {
		t.Errorf("E4.3 split:\n%s", ans[2])
	}
	if !strings.Contains(ans[2], "memory-bound layers (intensity below it) are relu1, pool1") || !strings.Contains(ans[2], "fc8") {
		t.Errorf("E4.3 memory-bound list:\n%s", ans[2])
	}
	if !strings.Contains(ans[2], "fc8 never") {
		t.Errorf("E4.3: fc8 (4096→10, at most 5 FLOP/byte) should never pass a ridge of 20:\n%s", ans[2])
	}
	f.Ceilings = Ceilings{}
	derive(f)
	if a := Answers(f)[2]; !strings.Contains(a, "no measured ceilings, so no layer is classified") {
		t.Errorf("no ceilings: %s", a)
	}
}
