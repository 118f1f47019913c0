//go:build !cgo || nofastcpu

package fastcpu

// Without cgo fastcpu is off (no BLAS): these keep the package building.

func sigmoid32s(x, y []float32) {
	for i, v := range x {
		y[i] = sigmoid32(v)
	}
}

func addSigmoid32s(a, b []float32, off int, y []float32) {
	for i := range y {
		y[i] = sigmoid32(a[i] + b[(off+i)%len(b)])
	}
}

func sigmoidGrad32s(y, v, out []float32) {
	for i, yi := range y[:len(out)] {
		out[i] = v[i] * (yi * (1 - yi))
	}
}
