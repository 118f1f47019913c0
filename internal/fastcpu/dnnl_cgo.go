//go:build cgo && !nofastcpu

package fastcpu

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// oneDNN 2.x's C API, declared here rather than included: the build must not
// need libdnnl-dev, and the library is opened at run time. The constants are
// dnnl_types.h's (2.6.3), unchanged across the 2.x ABI; openDNNL refuses any
// other major version. Memory and operation descriptors are only ever passed
// by pointer, so opaque buffers larger than the library's structs (696 and
// 5,976 bytes in 2.6) stand in for them.
typedef int64_t dnnl_dims[12];
typedef struct { _Alignas(64) char b[2048]; } dnnl_md;
typedef struct { _Alignas(64) char b[16384]; } dnnl_opdesc;
typedef struct { int arg; void *memory; } dnnl_arg;
typedef struct { int major, minor, patch; const char *hash; unsigned cpu_runtime, gpu_runtime; } dnnl_ver;

enum {
	D_F32 = 3, D_CPU = 1, D_STREAM_DEFAULT = 1,
	D_FWD_TRAINING = 64, D_BWD_DATA = 160, D_BWD_WEIGHTS = 192,
	D_CONV_DIRECT = 1, D_TAG_ANY = 1,
	D_ARG_SRC = 1, D_ARG_DST = 17, D_ARG_WEIGHTS = 33,
	D_ARG_DIFF_SRC = 129, D_ARG_DIFF_DST = 145, D_ARG_DIFF_WEIGHTS = 161,
	D_ARG_FROM = 1, D_ARG_TO = 17,
	D_Q_IMPL_INFO = 8, D_Q_SRC = 129, D_Q_DIFF_SRC = 130, D_Q_WEIGHTS = 131,
	D_Q_DIFF_WEIGHTS = 132, D_Q_DST = 133, D_Q_DIFF_DST = 134,
};

static struct {
	int (*engine_create)(void **, int, size_t);
	int (*stream_create)(void **, void *, unsigned);
	int (*stream_wait)(void *);
	int (*md_by_strides)(dnnl_md *, int, const int64_t *, int, const int64_t *);
	int (*md_by_tag)(dnnl_md *, int, const int64_t *, int, int);
	int (*fwd_desc)(dnnl_opdesc *, int, int, const dnnl_md *, const dnnl_md *, const dnnl_md *, const dnnl_md *,
		const int64_t *, const int64_t *, const int64_t *, const int64_t *);
	int (*bwd_data_desc)(dnnl_opdesc *, int, const dnnl_md *, const dnnl_md *, const dnnl_md *,
		const int64_t *, const int64_t *, const int64_t *, const int64_t *);
	int (*bwd_weights_desc)(dnnl_opdesc *, int, const dnnl_md *, const dnnl_md *, const dnnl_md *, const dnnl_md *,
		const int64_t *, const int64_t *, const int64_t *, const int64_t *);
	int (*pd_create)(void **, const void *, const void *, void *, const void *);
	const dnnl_md *(*pd_query_md)(const void *, int, int);
	int (*pd_query)(const void *, int, int, void *);
	int (*pd_destroy)(void *);
	int (*prim_create)(void **, const void *);
	int (*prim_execute)(const void *, void *, int, const dnnl_arg *);
	int (*prim_destroy)(void *);
	int (*mem_create)(void **, const dnnl_md *, void *, void *);
	int (*mem_set_handle)(void *, void *);
	int (*mem_destroy)(void *);
	int (*reorder_pd)(void **, const dnnl_md *, void *, const dnnl_md *, void *, const void *);
	int (*md_equal)(const dnnl_md *, const dnnl_md *);
	size_t (*md_size)(const dnnl_md *);
	int (*isa)(void);
	const dnnl_ver *(*version)(void);
} D;
static void *d_engine, *d_stream;

static const char *dnnl_open(const char *path, int threads, char *desc, size_t desc_len) {
	// oneDNN 2.6 runs on OpenMP (libgomp), read once as the library loads.
	// Passive waiting: its idle threads must not spin against the Go
	// workers of the graph's other nodes; and as many threads as fastcpu's
	// workers, unless the user chose.
	setenv("OMP_WAIT_POLICY", "passive", 0);
	char n[16];
	snprintf(n, sizeof n, "%d", threads);
	setenv("OMP_NUM_THREADS", n, 0);
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(desc, desc_len, "%s", e ? e : "unknown dlopen error");
		return desc;
	}
#define SYM(field, name) if (!(*(void **)&D.field = dlsym(h, name))) { snprintf(desc, desc_len, "%s has no %s", path, name); return desc; }
	SYM(engine_create, "dnnl_engine_create")
	SYM(stream_create, "dnnl_stream_create")
	SYM(stream_wait, "dnnl_stream_wait")
	SYM(md_by_strides, "dnnl_memory_desc_init_by_strides")
	SYM(md_by_tag, "dnnl_memory_desc_init_by_tag")
	SYM(fwd_desc, "dnnl_dilated_convolution_forward_desc_init")
	SYM(bwd_data_desc, "dnnl_dilated_convolution_backward_data_desc_init")
	SYM(bwd_weights_desc, "dnnl_dilated_convolution_backward_weights_desc_init")
	SYM(pd_create, "dnnl_primitive_desc_create")
	SYM(pd_query_md, "dnnl_primitive_desc_query_md")
	SYM(pd_query, "dnnl_primitive_desc_query")
	SYM(pd_destroy, "dnnl_primitive_desc_destroy")
	SYM(prim_create, "dnnl_primitive_create")
	SYM(prim_execute, "dnnl_primitive_execute")
	SYM(prim_destroy, "dnnl_primitive_destroy")
	SYM(mem_create, "dnnl_memory_create")
	SYM(mem_set_handle, "dnnl_memory_set_data_handle")
	SYM(mem_destroy, "dnnl_memory_destroy")
	SYM(reorder_pd, "dnnl_reorder_primitive_desc_create")
	SYM(md_equal, "dnnl_memory_desc_equal")
	SYM(md_size, "dnnl_memory_desc_get_size")
	SYM(isa, "dnnl_get_effective_cpu_isa")
	SYM(version, "dnnl_version")
#undef SYM
	const dnnl_ver *v = D.version();
	if (v->major != 2) {
		snprintf(desc, desc_len, "%s is oneDNN %d.%d.%d; fastcpu speaks the 2.x API", path, v->major, v->minor, v->patch);
		return desc;
	}
	if (D.engine_create(&d_engine, D_CPU, 0) || D.stream_create(&d_stream, d_engine, D_STREAM_DEFAULT)) {
		snprintf(desc, desc_len, "%s: no CPU engine or stream", path);
		return desc;
	}
	snprintf(desc, desc_len, "%d.%d.%d", v->major, v->minor, v->patch);
	return NULL;
}

static int dnnl_isa(void) { return D.isa(); }

// A convolution in oneDNN's terms: logical dims and element strides of src
// {N, IC, IH, IW}, weights {OC, IC, KH, KW} and dst {N, OC, OH, OW}, whatever
// the roles' order in memory.
typedef struct {
	int64_t kind; // 0 forward, 1 backward data (src is diff_src), 2 backward weights (weights are diff_weights)
	int64_t blocked; // bit i: let oneDNN choose operand i's layout (format any), with reorders to and from ours
	int64_t src[4], src_st[4], wei[4], wei_st[4], dst[4], dst_st[4];
	int64_t strides[2], dil[2], pad_l[2], pad_r[2];
} dnnl_problem;

// A primitive with its reorders, for one problem: operands 0, 1, 2 are src,
// weights, dst. An operand oneDNN wants in another layout goes through its
// own buffer: reordered in before, or out after, the convolution.
typedef struct {
	void *pd, *prim;
	int arg[3], out;
	void *umem[3], *pmem[3], *pbuf[3], *reorder[3];
	char impl[96];
} dnnl_conv;

static void dnnl_conv_free(dnnl_conv *c) {
	for (int i = 0; i < 3; i++) {
		if (c->reorder[i]) D.prim_destroy(c->reorder[i]);
		if (c->pmem[i]) D.mem_destroy(c->pmem[i]);
		if (c->umem[i]) D.mem_destroy(c->umem[i]);
		free(c->pbuf[i]);
	}
	if (c->prim) D.prim_destroy(c->prim);
	if (c->pd) D.pd_destroy(c->pd);
	free(c);
}

static const char *dnnl_conv_new(const dnnl_problem *p, dnnl_conv **out) {
	dnnl_md user[3], want[3];
	const int64_t *dims[3] = {p->src, p->wei, p->dst}, *st[3] = {p->src_st, p->wei_st, p->dst_st};
	for (int i = 0; i < 3; i++) {
		if (D.md_by_strides(&user[i], 4, dims[i], D_F32, st[i])) return "memory descriptor";
		if (p->blocked >> i & 1) {
			if (D.md_by_tag(&want[i], 4, dims[i], D_F32, D_TAG_ANY)) return "format any";
		} else {
			want[i] = user[i];
		}
	}
	// Backward primitives need the forward one as a hint.
	dnnl_opdesc fd, bd;
	void *fpd = NULL;
	if (D.fwd_desc(&fd, D_FWD_TRAINING, D_CONV_DIRECT, &want[0], &want[1], NULL, &want[2],
			p->strides, p->dil, p->pad_l, p->pad_r)) return "forward descriptor (geometry)";
	if (D.pd_create(&fpd, &fd, NULL, d_engine, NULL)) return "no forward implementation";
	dnnl_conv *c = calloc(1, sizeof *c);
	int q[3];
	int st_ = 0;
	switch (p->kind) {
	case 0:
		c->pd = fpd, fpd = NULL;
		c->arg[0] = D_ARG_SRC, c->arg[1] = D_ARG_WEIGHTS, c->arg[2] = D_ARG_DST, c->out = 2;
		q[0] = D_Q_SRC, q[1] = D_Q_WEIGHTS, q[2] = D_Q_DST;
		break;
	case 1:
		st_ = D.bwd_data_desc(&bd, D_CONV_DIRECT, &want[0], &want[1], &want[2], p->strides, p->dil, p->pad_l, p->pad_r);
		if (!st_) st_ = D.pd_create(&c->pd, &bd, NULL, d_engine, fpd);
		c->arg[0] = D_ARG_DIFF_SRC, c->arg[1] = D_ARG_WEIGHTS, c->arg[2] = D_ARG_DIFF_DST, c->out = 0;
		q[0] = D_Q_DIFF_SRC, q[1] = D_Q_WEIGHTS, q[2] = D_Q_DIFF_DST;
		break;
	default:
		st_ = D.bwd_weights_desc(&bd, D_CONV_DIRECT, &want[0], &want[1], NULL, &want[2], p->strides, p->dil, p->pad_l, p->pad_r);
		if (!st_) st_ = D.pd_create(&c->pd, &bd, NULL, d_engine, fpd);
		c->arg[0] = D_ARG_SRC, c->arg[1] = D_ARG_DIFF_WEIGHTS, c->arg[2] = D_ARG_DIFF_DST, c->out = 1;
		q[0] = D_Q_SRC, q[1] = D_Q_DIFF_WEIGHTS, q[2] = D_Q_DIFF_DST;
	}
	if (fpd) D.pd_destroy(fpd);
	if (st_ || !c->pd) { dnnl_conv_free(c); return "no backward implementation"; }
	const char *impl = NULL;
	if (!D.pd_query(c->pd, D_Q_IMPL_INFO, 0, &impl) && impl) snprintf(c->impl, sizeof c->impl, "%s", impl);
	for (int i = 0; i < 3; i++) {
		if (D.mem_create(&c->umem[i], &user[i], d_engine, NULL)) { dnnl_conv_free(c); return "memory"; }
		const dnnl_md *pm = D.pd_query_md(c->pd, q[i], 0);
		if (!pm || D.md_equal(pm, &user[i])) continue;
		size_t n = D.md_size(pm);
		c->pbuf[i] = aligned_alloc(64, (n + 63) / 64 * 64);
		void *rpd = NULL;
		int bad = !c->pbuf[i] || D.mem_create(&c->pmem[i], pm, d_engine, c->pbuf[i]);
		if (!bad) bad = i == c->out ? D.reorder_pd(&rpd, pm, d_engine, &user[i], d_engine, NULL)
		                            : D.reorder_pd(&rpd, &user[i], d_engine, pm, d_engine, NULL);
		if (!bad) bad = D.prim_create(&c->reorder[i], rpd);
		if (rpd) D.pd_destroy(rpd);
		if (bad) { dnnl_conv_free(c); return "reorder"; }
	}
	if (D.prim_create(&c->prim, c->pd)) { dnnl_conv_free(c); return "primitive"; }
	*out = c;
	return NULL;
}

static const char *dnnl_conv_impl(dnnl_conv *c) { return c->impl; }
static int dnnl_conv_reorders(dnnl_conv *c) { return (c->reorder[0] != NULL) + (c->reorder[1] != NULL) + (c->reorder[2] != NULL); }

static int dnnl_conv_run(dnnl_conv *c, void *src, void *wei, void *dst) {
	void *ptr[3] = {src, wei, dst};
	int rc = 0;
	for (int i = 0; i < 3; i++) D.mem_set_handle(c->umem[i], ptr[i]);
	for (int i = 0; i < 3 && !rc; i++) {
		if (i == c->out || !c->reorder[i]) continue;
		dnnl_arg a[2] = {{D_ARG_FROM, c->umem[i]}, {D_ARG_TO, c->pmem[i]}};
		rc = D.prim_execute(c->reorder[i], d_stream, 2, a);
	}
	dnnl_arg args[3];
	for (int i = 0; i < 3; i++) args[i].arg = c->arg[i], args[i].memory = c->pmem[i] ? c->pmem[i] : c->umem[i];
	if (!rc) rc = D.prim_execute(c->prim, d_stream, 3, args);
	if (!rc && c->reorder[c->out]) {
		dnnl_arg a[2] = {{D_ARG_FROM, c->pmem[c->out]}, {D_ARG_TO, c->umem[c->out]}};
		rc = D.prim_execute(c->reorder[c->out], d_stream, 2, a);
	}
	if (!rc) rc = D.stream_wait(d_stream);
	// Go's buffers are lent for this call only.
	for (int i = 0; i < 3; i++) D.mem_set_handle(c->umem[i], NULL);
	return rc;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"
)

// dnnlLibraries are tried in order: Debian's libdnnl2 (oneDNN 2.6.3, the
// version PyTorch 1.13 builds on), or the file the DNNL switch names.
var dnnlLibraries = []string{"libdnnl.so.2"}

// openDNNL loads oneDNN and returns its version and ISA, such as
// "oneDNN 2.6.3 avx512_core_bf16".
func openDNNL() (string, error) {
	libs := dnnlLibraries
	if p := sw.DNNL; p != "" {
		libs = []string{p}
	}
	var errs []error
	buf := make([]byte, 512)
	for _, l := range libs {
		cs := C.CString(l)
		e := C.dnnl_open(cs, C.int(workers()), (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)))
		C.free(unsafe.Pointer(cs))
		msg := C.GoString((*C.char)(unsafe.Pointer(&buf[0])))
		if e == nil {
			startDNNLThread()
			return fmt.Sprintf("oneDNN %s %s", msg, isaName(int(C.dnnl_isa()))), nil
		}
		errs = append(errs, errors.New(msg))
	}
	return "", fmt.Errorf("oneDNN not found (apt-get install libdnnl2): %w", errors.Join(errs...))
}

// isaName is dnnl_cpu_isa_t's name (dnnl_types.h).
func isaName(isa int) string {
	names := map[int]string{1: "sse41", 3: "avx", 7: "avx2", 1031: "avx2_vnni", 15: "avx512_mic",
		31: "avx512_mic_4ops", 39: "avx512_core", 103: "avx512_core_vnni", 231: "avx512_core_bf16",
		999: "avx512_core_amx"}
	if n, ok := names[isa]; ok {
		return n
	}
	return fmt.Sprintf("isa %#x", isa)
}

// dnnlCalls run on one locked OS thread: OpenMP keeps a thread pool per
// thread that enters a parallel region, and the primitives' scratchpads are
// not meant for concurrent runs, so every oneDNN call goes through here.
var dnnlCalls chan func()

func startDNNLThread() {
	dnnlCalls = make(chan func())
	go func() {
		runtime.LockOSThread()
		for fn := range dnnlCalls {
			fn()
		}
	}()
}

func onDNNLThread(fn func()) {
	done := make(chan struct{})
	dnnlCalls <- func() {
		defer close(done)
		fn()
	}
	<-done
}

// dnnlPrimitive is one problem's convolution and reorders.
type dnnlPrimitive struct {
	c        *C.dnnl_conv
	impl     string
	reorders int
}

func newDNNLPrimitive(p dnnlProblem) (*dnnlPrimitive, error) {
	var cp C.dnnl_problem
	cp.kind, cp.blocked = C.int64_t(p.kind), C.int64_t(p.blocked)
	for i := range 4 {
		cp.src[i], cp.src_st[i] = C.int64_t(p.src[i]), C.int64_t(p.srcStrides[i])
		cp.wei[i], cp.wei_st[i] = C.int64_t(p.wei[i]), C.int64_t(p.weiStrides[i])
		cp.dst[i], cp.dst_st[i] = C.int64_t(p.dst[i]), C.int64_t(p.dstStrides[i])
	}
	for i := range 2 {
		cp.strides[i], cp.dil[i] = C.int64_t(p.strides[i]), C.int64_t(p.dilation[i])
		cp.pad_l[i], cp.pad_r[i] = C.int64_t(p.padL[i]), C.int64_t(p.padR[i])
	}
	var prim *dnnlPrimitive
	var err error
	onDNNLThread(func() {
		var c *C.dnnl_conv
		if e := C.dnnl_conv_new(&cp, &c); e != nil {
			err = fmt.Errorf("oneDNN refused %+v: %s", p, C.GoString(e))
			return
		}
		prim = &dnnlPrimitive{c: c, impl: C.GoString(C.dnnl_conv_impl(c)), reorders: int(C.dnnl_conv_reorders(c))}
	})
	return prim, err
}

// run computes the convolution on the three operands' memory (src, weights,
// dst in oneDNN's terms; which one is written depends on the problem's kind).
func (d *dnnlPrimitive) run(src, wei, dst unsafe.Pointer) error {
	var rc C.int
	onDNNLThread(func() { rc = C.dnnl_conv_run(d.c, src, wei, dst) })
	if rc != 0 {
		return fmt.Errorf("oneDNN execution failed (status %d)", rc)
	}
	return nil
}

const builtWithDNNL = true
