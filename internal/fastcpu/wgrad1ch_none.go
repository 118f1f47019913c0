//go:build !cgo || nofastcpu

package fastcpu

// direct1chWGrad has no Go loop: without cgo fastcpu is off.
const hasDirect1chWGrad = false

func direct1chWGrad(g convGeom, x, dy, dw []float32) bool { return false }
