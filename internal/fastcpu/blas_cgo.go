//go:build cgo && !nofastcpu

package fastcpu

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
typedef void (*dgemm_fn)(int, int, int, int, int, int, double, const double*, int, const double*, int, double, double*, int);
typedef void (*threads_fn)(int);
typedef int (*get_threads_fn)(void);

static void *blas_open(const char *path) { return dlopen(path, RTLD_NOW | RTLD_LOCAL); }
static const char *blas_error(void) { const char *e = dlerror(); return e ? e : "unknown dlopen error"; }
static void *blas_sym(void *h, const char *name) { return dlsym(h, name); }

static void call_sgemm(void *f, int transA, int transB, int m, int n, int k,
		const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
	// 101 = CblasRowMajor, 111 = CblasNoTrans, 112 = CblasTrans (cblas.h's stable ABI).
	((sgemm_fn)f)(101, transA ? 112 : 111, transB ? 112 : 111, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}
static void call_dgemm(void *f, int transA, int transB, int m, int n, int k,
		const double *a, int lda, const double *b, int ldb, double beta, double *c, int ldc) {
	((dgemm_fn)f)(101, transA ? 112 : 111, transB ? 112 : 111, m, n, k, 1.0, a, lda, b, ldb, beta, c, ldc);
}
static void call_set_threads(void *f, int n) { ((threads_fn)f)(n); }
static int call_get_threads(void *f) { return ((get_threads_fn)f)(); }
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// The library's entry points; nil until openBLAS succeeds.
var sgemmFn, dgemmFn unsafe.Pointer

// blasLibraries are tried in order: Debian's OpenBLAS (libopenblas-dev /
// libopenblas0), then whatever libblas.so.3 the alternatives system points at.
var blasLibraries = []string{"libopenblas.so.0", "libopenblas.so", "libblas.so.3"}

// openBLAS loads the BLAS library and sets its thread count. It returns a
// description such as "libopenblas.so.0, 1 thread".
func openBLAS() (string, error) {
	libs := blasLibraries
	if p := sw.BLAS; p != "" {
		libs = []string{p}
	}
	var handle unsafe.Pointer
	var tried []string
	var lib string
	for _, l := range libs {
		cs := C.CString(l)
		handle = C.blas_open(cs)
		C.free(unsafe.Pointer(cs))
		if handle != nil {
			lib = l
			break
		}
		tried = append(tried, C.GoString(C.blas_error()))
	}
	if handle == nil {
		return "", fmt.Errorf("no BLAS library could be opened (apt-get install libopenblas0): %v", tried)
	}
	sym := func(name string) unsafe.Pointer {
		cs := C.CString(name)
		defer C.free(unsafe.Pointer(cs))
		return C.blas_sym(handle, cs)
	}
	s, d := sym("cblas_sgemm"), sym("cblas_dgemm")
	if s == nil || d == nil {
		return "", fmt.Errorf("%s has no cblas_sgemm/cblas_dgemm", lib)
	}
	sgemmFn, dgemmFn = s, d
	desc := lib
	if set := sym("openblas_set_num_threads"); set != nil {
		n := blasThreads()
		C.call_set_threads(set, C.int(n))
		if get := sym("openblas_get_num_threads"); get != nil {
			n = int(C.call_get_threads(get))
		}
		desc += fmt.Sprintf(", %d thread(s)", n)
	}
	return desc, nil
}

// blasThreads is OpenBLAS's thread count: the BLAS threads switch
// (sw.BLASThreads), else 1.
// SimpleGo runs graph nodes one at a time here (harness/backend's
// ops_sequential), but its own elementwise kernels use every core; one BLAS
// thread measured faster than two because OpenBLAS's idle threads spin
// against them (docs/BENCHMARKS.md).
func blasThreads() int {
	if sw.BLASThreads > 0 {
		return sw.BLASThreads
	}
	return 1
}

// gemm32 computes C = op(A)·op(B) (+ C when accumulate) for row-major
// matrices: op(A) is m×k, op(B) is k×n, C is m×n.
func gemm32(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, accumulate bool, c []float32, ldc int) {
	beta := C.float(0)
	if accumulate {
		beta = 1
	}
	C.call_sgemm(sgemmFn, cbool(transA), cbool(transB), C.int(m), C.int(n), C.int(k),
		(*C.float)(unsafe.Pointer(&a[0])), C.int(lda), (*C.float)(unsafe.Pointer(&b[0])), C.int(ldb),
		beta, (*C.float)(unsafe.Pointer(&c[0])), C.int(ldc))
}

// gemm64 is gemm32 for float64.
func gemm64(transA, transB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, accumulate bool, c []float64, ldc int) {
	beta := C.double(0)
	if accumulate {
		beta = 1
	}
	C.call_dgemm(dgemmFn, cbool(transA), cbool(transB), C.int(m), C.int(n), C.int(k),
		(*C.double)(unsafe.Pointer(&a[0])), C.int(lda), (*C.double)(unsafe.Pointer(&b[0])), C.int(ldb),
		beta, (*C.double)(unsafe.Pointer(&c[0])), C.int(ldc))
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

const builtWithBLAS = true
