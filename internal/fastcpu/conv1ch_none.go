//go:build !cgo || nofastcpu

package fastcpu

// direct1ch has no Go loop: without cgo fastcpu is off.
const hasDirect1ch = false

func direct1ch(g convGeom, x, w, y []float32) bool { return false }
