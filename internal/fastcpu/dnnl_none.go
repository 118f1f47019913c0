//go:build !cgo || nofastcpu

package fastcpu

import (
	"errors"
	"unsafe"
)

func openDNNL() (string, error) {
	return "", errors.New("built without cgo or with the nofastcpu tag")
}

type dnnlPrimitive struct {
	impl     string
	reorders int
}

func newDNNLPrimitive(p dnnlProblem) (*dnnlPrimitive, error) {
	return nil, errors.New("fastcpu: oneDNN without cgo")
}

func (d *dnnlPrimitive) run(src, wei, dst unsafe.Pointer) error {
	panic("fastcpu: oneDNN without cgo")
}

const builtWithDNNL = false
