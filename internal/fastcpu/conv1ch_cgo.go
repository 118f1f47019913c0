//go:build cgo && !nofastcpu

package fastcpu

/*
#cgo CFLAGS: -O3
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>

// ab_conv1ch_img convolves one image (h×w, one channel) with kh×kw taps of
// c output channels into oh×ow×c, padding ph/pw before: the image is first
// copied into a zero-bordered xp (oh+kh-1)×(ow+kw-1), so the pixel loop has
// no edge tests. Pixels go 8 at a time, each an 8-lane accumulator taking
// kh·kw broadcast FMAs: 8 independent chains, where one pixel at a time
// waits out each FMA's latency. A block past the row's end reads into the
// next xp row (or the 8 floats of slack after xp) and stores only its
// pixels in the row. All but a row's last pixel store 8 lanes unmasked, the
// lanes past c inside the next pixel (8 ≤ 2c), whose store comes after; the
// last is masked, so nothing outside the row is written.
__attribute__((target("avx512f,avx512vl,fma"))) static void ab_conv1ch_img(const float *x, const __m256 *wv, float *y,
		float *xp, long h, long w, long kh, long kw, long ph, long pw, long oh, long ow, long c) {
	const long pwid = ow + kw - 1, phgt = oh + kh - 1;
	memset(xp, 0, (phgt * pwid + 8) * sizeof(float));
	for (long r = 0; r < h && r + ph < phgt; r++) {
		long n = w < pwid - pw ? w : pwid - pw;
		memcpy(xp + (r + ph) * pwid + pw, x + r * w, n * sizeof(float));
	}
	const __mmask8 last = (__mmask8)((1u << c) - 1);
	for (long i = 0; i < oh; i++) {
		float *out = y + i * ow * c;
		for (long j0 = 0; j0 < ow; j0 += 8) {
			const float *p = xp + i * pwid + j0;
			__m256 acc[8];
			for (int q = 0; q < 8; q++) {
				acc[q] = _mm256_setzero_ps();
			}
			for (long a = 0; a < kh; a++) {
				for (long b = 0; b < kw; b++) {
					const __m256 wt = wv[a * kw + b];
					const float *pa = p + a * pwid + b;
					for (int q = 0; q < 8; q++) {
						acc[q] = _mm256_fmadd_ps(_mm256_set1_ps(pa[q]), wt, acc[q]);
					}
				}
			}
			for (int q = 0; q < 8 && j0 + q < ow; q++) {
				if (j0 + q + 1 < ow) {
					_mm256_storeu_ps(out + (j0 + q) * c, acc[q]);
				} else {
					_mm256_mask_storeu_ps(out + (j0 + q) * c, last, acc[q]);
				}
			}
		}
	}
}

// ab_conv1ch_f32 runs images lo..hi; it returns 0 without AVX-512 (the
// caller then takes its im2col path).
int ab_conv1ch_f32(const float *x, const float *k, float *y, long lo, long hi, long h, long w, long kh, long kw,
		long ph, long pw, long oh, long ow, long c) {
	if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512vl") || !__builtin_cpu_supports("fma")) {
		return 0;
	}
	__m256 wv[25];
	for (long t = 0; t < kh * kw; t++) {
		float lanes[8] = {0};
		memcpy(lanes, k + t * c, c * sizeof(float));
		memcpy(&wv[t], lanes, sizeof(lanes));
	}
	float *xp = malloc(((oh + kh - 1) * (ow + kw - 1) + 8) * sizeof(float));
	if (xp == NULL) {
		return 0;
	}
	for (long b = lo; b < hi; b++) {
		ab_conv1ch_img(x + b * h * w, wv, y + b * oh * ow * c, xp, h, w, kh, kw, ph, pw, oh, ow, c);
	}
	free(xp);
	return 1;
}
#else
int ab_conv1ch_f32(const float *x, const float *k, float *y, long lo, long hi, long h, long w, long kh, long kw,
		long ph, long pw, long oh, long ow, long c) {
	return 0;
}
#endif
*/
import "C"

import (
	"sync/atomic"
	"unsafe"
)

// hasDirect1ch says the direct loop is built (it still needs AVX-512).
var hasDirect1ch = C.ab_conv1ch_f32(nil, nil, nil, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) != 0

// direct1ch runs a convolution direct1chOK accepts, over the images in a
// share per core, and says whether it did (not without AVX-512, nor where a
// test or benchmark forces another path: "blas" in BenchmarkLeNetConvs is
// then the im2col it replaces).
func direct1ch(g convGeom, x, w, y []float32) bool {
	if !direct1chOK(g) || forceAlgorithm != 0 || forceDNNL != 0 || forceDirect1ch < 0 {
		return false
	}
	_, _, _ = x[g.batch*g.iB-1], w[g.k[0]*g.k[1]*g.cout-1], y[g.batch*g.oB-1]
	run := func(lo, hi int) bool {
		return C.ab_conv1ch_f32((*C.float)(unsafe.Pointer(&x[0])), (*C.float)(unsafe.Pointer(&w[0])), (*C.float)(unsafe.Pointer(&y[0])),
			C.long(lo), C.long(hi), C.long(g.in[0]), C.long(g.in[1]), C.long(g.k[0]), C.long(g.k[1]),
			C.long(g.padLo[0]), C.long(g.padLo[1]), C.long(g.out[0]), C.long(g.out[1]), C.long(g.cout)) != 0
	}
	nw := workers()
	if nw == 1 || g.batch < nw {
		if !run(0, g.batch) {
			return false
		}
		direct1chRuns.Add(1)
		return true
	}
	var failed atomic.Bool
	parallel(nw, func(k int) {
		if !run(k*g.batch/nw, (k+1)*g.batch/nw) {
			failed.Store(true)
		}
	})
	if failed.Load() {
		return false
	}
	direct1chRuns.Add(1)
	return true
}
