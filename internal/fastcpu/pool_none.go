//go:build !cgo || nofastcpu

package fastcpu

// cMaxPools is empty: the max pools run in Go.
const cMaxPools = ""

// scatterMax2x2Images32 is scatterMax over images lo..hi of a tiled 2×2 pool
// on float32: pool_cgo.go runs the same rule in C.
func scatterMax2x2Images32(x, v, dx []float32, g poolGeom, lo, hi int) {
	scatterMax2x2Images32Go(x, v, dx, g, lo, hi)
}

// scatterMax2x2Images32C keeps the tests building: simd has no meaning here.
func scatterMax2x2Images32C(x, v, dx []float32, g poolGeom, lo, hi, _ int) {
	scatterMax2x2Images32Go(x, v, dx, g, lo, hi)
}

// maxPool2x2Rows32 is poolForward's tiled 2×2 max over output rows lo..hi on
// float32: pool_cgo.go runs it in C.
func maxPool2x2Rows32(x, y []float32, g poolGeom, lo, hi int) {
	maxPool2x2Rows32Go(x, y, g, lo, hi)
}

// maxPool2x2Rows32C keeps the tests building: simd has no meaning here.
func maxPool2x2Rows32C(x, y []float32, g poolGeom, lo, hi, _ int) {
	maxPool2x2Rows32Go(x, y, g, lo, hi)
}
