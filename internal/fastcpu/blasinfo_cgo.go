//go:build cgo && !nofastcpu

package fastcpu

/*
#include <dlfcn.h>
#include <stdlib.h>

typedef char *(*blas_str_fn)(void);

// blas_info_sym finds name in lib if lib is already loaded (RTLD_NOLOAD:
// this opens nothing new, it only finds the library openBLAS opened).
static void *blas_info_sym(const char *lib, const char *name) {
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
	if (h == NULL) {
		return NULL;
	}
	void *f = dlsym(h, name);
	dlclose(h); // drops only the reference taken here
	return f;
}
static const char *call_blas_str(void *f) { return ((blas_str_fn)f)(); }
*/
import "C"

import (
	"strings"
	"unsafe"
)

// blasBuild is OpenBLAS's own account of the kernels it runs, as
// " (core Zen, OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64)":
// the core type its dynamic dispatch picked for this CPU, and its build. Two
// machines' timings differ by it as much as by their clocks. Empty when the
// library is not OpenBLAS.
func blasBuild() string {
	libs := blasLibraries
	if p := sw.BLAS; p != "" {
		libs = []string{p}
	}
	str := func(lib, name string) string {
		cl, cn := C.CString(lib), C.CString(name)
		defer C.free(unsafe.Pointer(cl))
		defer C.free(unsafe.Pointer(cn))
		f := C.blas_info_sym(cl, cn)
		if f == nil {
			return ""
		}
		return strings.TrimSpace(C.GoString(C.call_blas_str(f)))
	}
	for _, lib := range libs {
		core, config := str(lib, "openblas_get_corename"), str(lib, "openblas_get_config")
		if core != "" || config != "" {
			return " (core " + core + ", " + config + ")"
		}
	}
	return ""
}
