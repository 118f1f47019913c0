//go:build cgo && !nofastcpu

package fastcpu

/*
#cgo CFLAGS: -O3
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>

#define AB_WG_TARGET __attribute__((target("avx512f,avx512vl,fma")))

// ab_wgrad1ch_taps adds, for nb (1..8) neighbouring taps of one kernel row,
// Σ over the image's oh×ow pixels of xp[pixel + tap] · dy[pixel] into
// tot[0..nb): xp starts at the row's first tap in the zero-bordered image,
// pwid floats a row. Inlined with nb a constant, the taps' accumulators
// stay in registers; two pixels at a time in separate accumulators make
// 2·nb independent FMA chains, enough to hide the FMA's latency. dy's
// pixels are c (≤ 8) floats apart: the masked load reads only the pixel's
// own channels (and never past dy's end).
static inline __attribute__((always_inline)) AB_WG_TARGET void ab_wgrad1ch_taps(const float *xp, const float *dy,
		__m256 *tot, long pwid, long oh, long ow, long c, __mmask8 m, const int nb) {
	__m256 a0[8], a1[8];
	for (int q = 0; q < nb; q++) {
		a0[q] = _mm256_setzero_ps();
		a1[q] = _mm256_setzero_ps();
	}
	for (long i = 0; i < oh; i++) {
		const float *xr = xp + i * pwid, *dr = dy + i * ow * c;
		long j = 0;
		for (; j + 1 < ow; j += 2) {
			const __m256 d0 = _mm256_maskz_loadu_ps(m, dr + j * c);
			const __m256 d1 = _mm256_maskz_loadu_ps(m, dr + (j + 1) * c);
			for (int q = 0; q < nb; q++) {
				a0[q] = _mm256_fmadd_ps(_mm256_set1_ps(xr[j + q]), d0, a0[q]);
				a1[q] = _mm256_fmadd_ps(_mm256_set1_ps(xr[j + 1 + q]), d1, a1[q]);
			}
		}
		if (j < ow) {
			const __m256 d0 = _mm256_maskz_loadu_ps(m, dr + j * c);
			for (int q = 0; q < nb; q++) {
				a0[q] = _mm256_fmadd_ps(_mm256_set1_ps(xr[j + q]), d0, a0[q]);
			}
		}
	}
	for (int q = 0; q < nb; q++) {
		tot[q] = _mm256_add_ps(tot[q], _mm256_add_ps(a0[q], a1[q]));
	}
}

// ab_wgrad1ch_f32 sets dw (kh×kw×c) to the weight gradient over images
// lo..hi: Σ x_pad[b, i+a, j+e] · dy[b, i, j, :]. Each image is first copied
// into a zero-bordered xp (oh+kh-1)×(ow+kw-1), as the forward loop does, so
// no pixel needs an edge test. It returns 0 without AVX-512 (the caller
// then takes its im2col path).
AB_WG_TARGET static void ab_wgrad1ch_run(const float *x, const float *dy, float *dw, float *xp, long lo, long hi,
		long h, long w, long kh, long kw, long ph, long pw, long oh, long ow, long c) {
	const long pwid = ow + kw - 1, phgt = oh + kh - 1;
	const __mmask8 m = (__mmask8)((1u << c) - 1);
	__m256 tot[25];
	for (long t = 0; t < kh * kw; t++) {
		tot[t] = _mm256_setzero_ps();
	}
	for (long b = lo; b < hi; b++) {
		memset(xp, 0, phgt * pwid * sizeof(float));
		for (long r = 0; r < h && r + ph < phgt; r++) {
			long n = w < pwid - pw ? w : pwid - pw;
			memcpy(xp + (r + ph) * pwid + pw, x + (b * h + r) * w, n * sizeof(float));
		}
		const float *d = dy + b * oh * ow * c;
		for (long a = 0; a < kh; a++) {
			for (long e0 = 0; e0 < kw; e0 += 8) {
				const float *p = xp + a * pwid + e0;
				__m256 *t = tot + a * kw + e0;
				switch (kw - e0 < 8 ? kw - e0 : 8) {
				case 1: ab_wgrad1ch_taps(p, d, t, pwid, oh, ow, c, m, 1); break;
				case 2: ab_wgrad1ch_taps(p, d, t, pwid, oh, ow, c, m, 2); break;
				case 3: ab_wgrad1ch_taps(p, d, t, pwid, oh, ow, c, m, 3); break;
				case 4: ab_wgrad1ch_taps(p, d, t, pwid, oh, ow, c, m, 4); break;
				case 5: ab_wgrad1ch_taps(p, d, t, pwid, oh, ow, c, m, 5); break;
				case 6: ab_wgrad1ch_taps(p, d, t, pwid, oh, ow, c, m, 6); break;
				case 7: ab_wgrad1ch_taps(p, d, t, pwid, oh, ow, c, m, 7); break;
				default: ab_wgrad1ch_taps(p, d, t, pwid, oh, ow, c, m, 8); break;
				}
			}
		}
	}
	for (long t = 0; t < kh * kw; t++) {
		_mm256_mask_storeu_ps(dw + t * c, m, tot[t]);
	}
}

int ab_wgrad1ch_f32(const float *x, const float *dy, float *dw, long lo, long hi, long h, long w, long kh, long kw,
		long ph, long pw, long oh, long ow, long c) {
	if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512vl") || !__builtin_cpu_supports("fma")) {
		return 0;
	}
	if (x == NULL) {
		return 1;
	}
	if (kh * kw > 25 || c < 1 || c > 8) {
		return 0;
	}
	float *xp = malloc((oh + kh - 1) * (ow + kw - 1) * sizeof(float));
	if (xp == NULL) {
		return 0;
	}
	ab_wgrad1ch_run(x, dy, dw, xp, lo, hi, h, w, kh, kw, ph, pw, oh, ow, c);
	free(xp);
	return 1;
}
#else
int ab_wgrad1ch_f32(const float *x, const float *dy, float *dw, long lo, long hi, long h, long w, long kh, long kw,
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

// hasDirect1chWGrad says the direct weight gradient is built (it still
// needs AVX-512).
var hasDirect1chWGrad = C.ab_wgrad1ch_f32(nil, nil, nil, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) != 0

// direct1chWGrad sets dw to a weight gradient direct1chWGradOK accepts and
// says whether it did (not without AVX-512, nor where a test or benchmark
// forces another path). The workers take fixed shares of the images, each
// into its own kh×kw×c partial, summed in worker order at the end: which
// images a partial sums must not depend on timing, or the same seed would
// train differently.
func direct1chWGrad(g convGeom, x, dy, dw []float32) bool {
	f, ok := direct1chWGradOK(g)
	if !ok || forceAlgorithm != 0 || forceDNNL != 0 || forceDirect1chWGrad < 0 || !hasDirect1chWGrad {
		return false
	}
	taps := f.k[0] * f.k[1] * f.cout
	_, _, _ = x[f.batch*f.iB-1], dy[f.batch*f.oB-1], dw[taps-1]
	run := func(lo, hi int, out []float32) bool {
		return C.ab_wgrad1ch_f32((*C.float)(unsafe.Pointer(&x[0])), (*C.float)(unsafe.Pointer(&dy[0])), (*C.float)(unsafe.Pointer(&out[0])),
			C.long(lo), C.long(hi), C.long(f.in[0]), C.long(f.in[1]), C.long(f.k[0]), C.long(f.k[1]),
			C.long(f.padLo[0]), C.long(f.padLo[1]), C.long(f.out[0]), C.long(f.out[1]), C.long(f.cout)) != 0
	}
	nw := min(workers(), f.batch)
	if nw <= 1 {
		if !run(0, f.batch, dw) {
			return false
		}
		direct1chWGradRuns.Add(1)
		return true
	}
	parts := make([]float32, nw*taps)
	var failed atomic.Bool
	parallel(nw, func(k int) {
		if !run(k*f.batch/nw, (k+1)*f.batch/nw, parts[k*taps:(k+1)*taps]) {
			failed.Store(true)
		}
	})
	if failed.Load() {
		return false
	}
	copy(dw[:taps], parts[:taps])
	for k := 1; k < nw; k++ {
		for i, v := range parts[k*taps : (k+1)*taps] {
			dw[i] += v
		}
	}
	direct1chWGradRuns.Add(1)
	return true
}
