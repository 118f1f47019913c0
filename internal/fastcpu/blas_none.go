//go:build !cgo || nofastcpu

package fastcpu

import "errors"

func openBLAS() (string, error) {
	return "", errors.New("built without cgo or with the nofastcpu tag: SimpleGo's own kernels (slower)")
}

func gemm32(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, accumulate bool, c []float32, ldc int) {
	panic("fastcpu: gemm32 without BLAS")
}

func gemm64(transA, transB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, accumulate bool, c []float64, ldc int) {
	panic("fastcpu: gemm64 without BLAS")
}

const builtWithBLAS = false

func blasBuild() string { return "" }
