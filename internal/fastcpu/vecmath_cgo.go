//go:build cgo && !nofastcpu

package fastcpu

/*
#cgo CFLAGS: -O3
#include <stdint.h>
#include <string.h>

// Go compiles float math to one scalar SSE instruction at a time: its
// sigmoid32 takes about as long as a float64 math.Exp. GCC vectorizes the
// same branch-free loop, and target_clones compiles it for AVX-512, AVX2
// and baseline x86-64, picked once at load time by the CPU.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define AB_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define AB_CLONES
#endif

// ab_sigmoid_span is sigmoid32 (sigmoid.go) over n elements; y may be x.
static inline __attribute__((always_inline)) void ab_sigmoid_span(const float *x, float *y, long n) {
	for (long i = 0; i < n; i++) {
		float t = -x[i];
		t = t < -87.0f ? -87.0f : t;
		t = t > 88.0f ? 88.0f : t;
		float f = t * 1.44269504088896341f + 12582912.0f;
		float k = f - 12582912.0f;
		float r = t - k * 0.693359375f - k * -2.12194440e-4f;
		float p = ((((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r +
			4.1665795894e-2f) * r + 1.6666665459e-1f) * r + 5.0000001201e-1f) * r * r + r) + 1.0f;
		int32_t fb;
		memcpy(&fb, &f, 4);
		int32_t sb = (fb - 0x4B400000 + 127) << 23;
		float scale;
		memcpy(&scale, &sb, 4);
		y[i] = 1.0f / (1.0f + p * scale);
	}
}

AB_CLONES void ab_sigmoid_f32(const float *x, float *y, long n) { ab_sigmoid_span(x, y, n); }

// ab_add_sigmoid_f32 writes y[i] = σ(a[i] + b[(off+i) mod nb]) for i < n (a
// bias block b repeating along y, from element off of the whole tensor), in
// chunks that stay in L1: the add, then the sigmoid over the chunk. y may be a.
AB_CLONES void ab_add_sigmoid_f32(const float *a, const float *b, long nb, long off, float *y, long n) {
	const long chunk = 2048;
	long j = off % nb;
	for (long c = 0; c < n; c += chunk) {
		long e = c + chunk < n ? c + chunk : n;
		for (long i = c; i < e;) {
			long run = nb - j < e - i ? nb - j : e - i;
			const float *ai = a + i, *bj = b + j;
			float *yi = y + i;
			for (long k = 0; k < run; k++) {
				yi[k] = ai[k] + bj[k];
			}
			i += run;
			j += run;
			if (j == nb) {
				j = 0;
			}
		}
		ab_sigmoid_span(y + c, y + c, e - c);
	}
}

// ab_sigmoid_grad_f32 writes out = v·(y·(1−y)); out may be y or v.
AB_CLONES void ab_sigmoid_grad_f32(const float *y, const float *v, float *out, long n) {
	for (long i = 0; i < n; i++) {
		out[i] = v[i] * (y[i] * (1.0f - y[i]));
	}
}
*/
import "C"

import "unsafe"

// sigmoid32s writes y = σ(x) elementwise; y may be x.
func sigmoid32s(x, y []float32) {
	if len(x) == 0 {
		return
	}
	_ = y[len(x)-1]
	C.ab_sigmoid_f32((*C.float)(unsafe.Pointer(&x[0])), (*C.float)(unsafe.Pointer(&y[0])), C.long(len(x)))
}

// addSigmoid32s writes y = σ(a + b[(off+i) mod len(b)]) elementwise; y may be a.
func addSigmoid32s(a, b []float32, off int, y []float32) {
	if len(y) == 0 {
		return
	}
	_, _ = a[len(y)-1], b[len(b)-1]
	C.ab_add_sigmoid_f32((*C.float)(unsafe.Pointer(&a[0])), (*C.float)(unsafe.Pointer(&b[0])), C.long(len(b)), C.long(off),
		(*C.float)(unsafe.Pointer(&y[0])), C.long(len(y)))
}

// sigmoidGrad32s writes out = v·(y·(1−y)) elementwise; out may be y or v.
func sigmoidGrad32s(y, v, out []float32) {
	if len(out) == 0 {
		return
	}
	_, _ = y[len(out)-1], v[len(out)-1]
	C.ab_sigmoid_grad_f32((*C.float)(unsafe.Pointer(&y[0])), (*C.float)(unsafe.Pointer(&v[0])),
		(*C.float)(unsafe.Pointer(&out[0])), C.long(len(out)))
}
