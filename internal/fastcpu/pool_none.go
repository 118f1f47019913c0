//go:build !cgo || nofastcpu

package fastcpu

// scatterMax2x2Images32 is scatterMax over images lo..hi of a tiled 2×2 pool
// on float32: pool_cgo.go runs the same rule in C.
func scatterMax2x2Images32(x, v, dx []float32, g poolGeom, lo, hi int) {
	scatterMax2x2Images32Go(x, v, dx, g, lo, hi)
}

// scatterMax2x2Images32C keeps the tests building: simd has no meaning here.
func scatterMax2x2Images32C(x, v, dx []float32, g poolGeom, lo, hi, _ int) {
	scatterMax2x2Images32Go(x, v, dx, g, lo, hi)
}
