//go:build cgo && !nofastcpu

package fastcpu

/*
#cgo CFLAGS: -O3
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define AB_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define AB_CLONES
#endif


// ab_scatter2x2_row is scatterMax2x2Row32 (pool.go) in C, the same
// branch-free masks: each window's source value at its first largest element
// in row-major order, zero elsewhere; the masks compare with the window's
// max, so which of -0 and +0 the max is does not matter (they compare equal),
// and a window holding a NaN sends its value to its last element.
static inline __attribute__((always_inline)) void ab_scatter2x2_row(const float *restrict top, const float *restrict bot,
		const float *restrict src, float *restrict dt, float *restrict dbt, long c, long wo) {
	for (long ow = 0; ow < wo; ow++) {
		for (long k = 0; k < c; k++) {
			long i = 2 * ow * c + k;
			float v0 = top[i], v1 = top[i + c], v2 = bot[i], v3 = bot[i + c];
			float m01 = v0 > v1 ? v0 : v1, m23 = v2 > v3 ? v2 : v3;
			float m = m01 > m23 ? m01 : m23;
			uint32_t ord = -(uint32_t)((v0 == v0) & (v1 == v1) & (v2 == v2) & (v3 == v3));
			uint32_t u0 = ord & -(uint32_t)(v0 == m);
			uint32_t u1 = ord & -(uint32_t)(v1 == m) & ~u0;
			uint32_t u2 = ord & -(uint32_t)(v2 == m) & ~(u0 | u1);
			uint32_t u3 = ~(u0 | u1 | u2);
			float sk = src[ow * c + k];
			uint32_t sb;
			memcpy(&sb, &sk, 4);
			uint32_t r0 = sb & u0, r1 = sb & u1, r2 = sb & u2, r3 = sb & u3;
			memcpy(&dt[i], &r0, 4);
			memcpy(&dt[i + c], &r1, 4);
			memcpy(&dbt[i], &r2, 4);
			memcpy(&dbt[i + c], &r3, 4);
		}
	}
}

// ab_scatter2x2_rows is the portable loop, which GCC vectorizes over the
// channels: well for 16 of them, hardly for LeNet's first 6.
AB_CLONES static void ab_scatter2x2_rows(const float *top, const float *bot, const float *src, float *dt, float *dbt, long c, long wo) {
	ab_scatter2x2_row(top, bot, src, dt, dbt, c, wo);
}

// ab_scatter2x2_win8 is one window of up to 8 channels, a vector per window
// half: mask compares and zero-masked moves in place of the portable loop's
// bit masks, which GCC cannot vectorize across windows (their stride is 2c)
// and so runs nearly scalar on 6 channels. max_ps's NaN rule does not
// matter: the ordered test catches a NaN. Lanes outside mk are neither read
// nor written.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target("avx512f,avx512vl"))) static inline void ab_scatter2x2_win8(const float *a, const float *b,
		const float *s, float *da, float *db, long c, __mmask8 mk) {
	__m256 v0 = _mm256_maskz_loadu_ps(mk, a), v1 = _mm256_maskz_loadu_ps(mk, a + c);
	__m256 v2 = _mm256_maskz_loadu_ps(mk, b), v3 = _mm256_maskz_loadu_ps(mk, b + c);
	__m256 sv = _mm256_maskz_loadu_ps(mk, s);
	__m256 m = _mm256_max_ps(_mm256_max_ps(v0, v1), _mm256_max_ps(v2, v3));
	__mmask8 ord = _mm256_cmp_ps_mask(v0, v1, _CMP_ORD_Q) & _mm256_cmp_ps_mask(v2, v3, _CMP_ORD_Q);
	__mmask8 e0 = ord & _mm256_cmp_ps_mask(v0, m, _CMP_EQ_OQ);
	__mmask8 e1 = ord & _mm256_cmp_ps_mask(v1, m, _CMP_EQ_OQ) & ~e0;
	__mmask8 e2 = ord & _mm256_cmp_ps_mask(v2, m, _CMP_EQ_OQ) & ~(e0 | e1);
	__mmask8 e3 = ~(e0 | e1 | e2);
	if (mk == 0xff) {
		_mm256_storeu_ps(da, _mm256_maskz_mov_ps(e0, sv));
		_mm256_storeu_ps(da + c, _mm256_maskz_mov_ps(e1, sv));
		_mm256_storeu_ps(db, _mm256_maskz_mov_ps(e2, sv));
		_mm256_storeu_ps(db + c, _mm256_maskz_mov_ps(e3, sv));
	} else {
		_mm256_mask_storeu_ps(da, mk, _mm256_maskz_mov_ps(e0, sv));
		_mm256_mask_storeu_ps(da + c, mk, _mm256_maskz_mov_ps(e1, sv));
		_mm256_mask_storeu_ps(db, mk, _mm256_maskz_mov_ps(e2, sv));
		_mm256_mask_storeu_ps(db + c, mk, _mm256_maskz_mov_ps(e3, sv));
	}
}

__attribute__((target("avx512f,avx512vl"))) static void ab_scatter2x2_rows8(const float *top, const float *bot,
		const float *src, float *dt, float *dbt, long c, long wo) {
	// All but the row's last window read and write all 8 lanes, unmasked.
	// The lanes past c land on the window's second half or, from 3 channels
	// on (8 ≤ c + 2c), inside the next window, whose own stores come after
	// and overwrite them (dx is a new buffer, never x); the last window's are
	// masked off, so nothing outside the row is read or written.
	for (long ow = 0; ow + 1 < wo; ow++) {
		ab_scatter2x2_win8(top + 2 * ow * c, bot + 2 * ow * c, src + ow * c, dt + 2 * ow * c, dbt + 2 * ow * c, c, 0xff);
	}
	if (wo > 0) {
		long ow = wo - 1;
		ab_scatter2x2_win8(top + 2 * ow * c, bot + 2 * ow * c, src + ow * c, dt + 2 * ow * c, dbt + 2 * ow * c, c,
			(__mmask8)((1u << c) - 1));
	}
}
#endif

// ab_scatter_max2x2_f32 runs images 0..nb, each row pair of 3 to 8 channels
// in the AVX-512 loop where the CPU has it and simd is set (the test clears
// it to check the portable loop too), and zeroes what is in no window. From
// 16 channels on the portable loop vectorizes well and measured faster than
// masked 16-lane windows (54 against 69 µs on LeNet's second pool).
void ab_scatter_max2x2_f32(const float *x, const float *v, float *dx, long nb, long h, long w, long c, long ho, long wo, int simd) {
	const long row = w * c, orow = wo * c, img = h * row, oimg = ho * orow;
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
	const int avx512 = simd && c >= 3 && c <= 8 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
#else
	const int avx512 = 0;
#endif
	for (long b = 0; b < nb; b++) {
		const float *xb = x + b * img, *vb = v + b * oimg;
		float *db = dx + b * img;
		for (long oh = 0; oh < ho; oh++) {
			const float *top = xb + 2 * oh * row;
			float *dt = db + 2 * oh * row;
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
			if (avx512) {
				ab_scatter2x2_rows8(top, top + row, vb + oh * orow, dt, dt + row, c, wo);
			} else
#endif
			ab_scatter2x2_rows(top, top + row, vb + oh * orow, dt, dt + row, c, wo);
			// An odd width's last column is in no window.
			memset(dt + 2 * orow, 0, (row - 2 * orow) * sizeof(float));
			memset(dt + row + 2 * orow, 0, (row - 2 * orow) * sizeof(float));
		}
		memset(db + 2 * ho * row, 0, (img - 2 * ho * row) * sizeof(float)); // and an odd height's last row
	}
}

// ab_gomax is Go's max on float32: a NaN wins, and +0 over -0 (which the
// and of their bits gives where the two compare equal).
static inline __attribute__((always_inline)) float ab_gomax(float a, float b) {
	float m = a > b ? a : b;
	uint32_t ua, ub;
	memcpy(&ua, &a, 4);
	memcpy(&ub, &b, 4);
	uint32_t u = ua & ub;
	float z;
	memcpy(&z, &u, 4);
	m = a == b ? z : m;
	return (a != a || b != b) ? a + b : m;
}

// ab_maxpool2x2_rows is maxPool2x2Row (pool.go) over output rows lo..hi
// (row r is image r/ho, output row r%ho), the portable loop.
AB_CLONES static void ab_maxpool2x2_rows(const float *restrict x, float *restrict y, long lo, long hi,
		long h, long w, long c, long ho, long wo) {
	const long row = w * c, orow = wo * c;
	for (long r = lo; r < hi; r++) {
		const float *top = x + ((r / ho) * h + 2 * (r % ho)) * row, *bot = top + row;
		float *out = y + r * orow;
		for (long ow = 0; ow < wo; ow++) {
			for (long k = 0; k < c; k++) {
				long i = 2 * ow * c + k;
				out[ow * c + k] = ab_gomax(ab_gomax(top[i], top[i + c]), ab_gomax(bot[i], bot[i + c]));
			}
		}
	}
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
// ab_gomax8 is ab_gomax on 8 lanes.
__attribute__((target("avx512f,avx512vl"))) static inline __m256 ab_gomax8(__m256 a, __m256 b) {
	__m256 m = _mm256_max_ps(a, b);
	m = _mm256_castsi256_ps(_mm256_mask_and_epi32(_mm256_castps_si256(m), _mm256_cmp_ps_mask(a, b, _CMP_EQ_OQ),
		_mm256_castps_si256(a), _mm256_castps_si256(b)));
	return _mm256_mask_add_ps(m, _mm256_cmp_ps_mask(a, b, _CMP_UNORD_Q), a, b);
}

// ab_maxpool2x2_rows8 is ab_maxpool2x2_rows for 4 to 8 channels, a vector
// per window half as in ab_scatter2x2_rows8: all but a row's last window
// read and write 8 lanes unmasked, the lanes past c inside the next window
// (8 ≤ 2c), whose store comes after; the last window is masked, so nothing
// outside the row is touched (rows may be another worker's).
__attribute__((target("avx512f,avx512vl"))) static void ab_maxpool2x2_rows8(const float *x, float *y, long lo, long hi,
		long h, long w, long c, long ho, long wo) {
	const long row = w * c, orow = wo * c;
	const __mmask8 last = (__mmask8)((1u << c) - 1);
	for (long r = lo; r < hi; r++) {
		const float *top = x + ((r / ho) * h + 2 * (r % ho)) * row, *bot = top + row;
		float *out = y + r * orow;
		for (long ow = 0; ow < wo; ow++) {
			const __mmask8 mk = ow + 1 < wo ? 0xff : last;
			const float *a = top + 2 * ow * c, *b = bot + 2 * ow * c;
			__m256 m = ab_gomax8(ab_gomax8(_mm256_maskz_loadu_ps(mk, a), _mm256_maskz_loadu_ps(mk, a + c)),
				ab_gomax8(_mm256_maskz_loadu_ps(mk, b), _mm256_maskz_loadu_ps(mk, b + c)));
			_mm256_mask_storeu_ps(out + ow * c, mk, m);
		}
	}
}
#endif

// ab_maxpool2x2_f32 pools output rows lo..hi of a tiled 2×2 max pool (simd
// as in ab_scatter_max2x2_f32) and returns 1, or returns 0 for the caller's
// Go loop: under 8 channels the portable loop hardly vectorizes and measured
// 9 times slower than Go's (5.6 against 0.60 ms on LeNet's first pool).
int ab_maxpool2x2_f32(const float *x, float *y, long lo, long hi, long h, long w, long c, long ho, long wo, int simd) {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
	if (simd && c >= 4 && c <= 8 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) {
		ab_maxpool2x2_rows8(x, y, lo, hi, h, w, c, ho, wo);
		return 1;
	}
#endif
	if (c < 8) {
		return 0;
	}
	ab_maxpool2x2_rows(x, y, lo, hi, h, w, c, ho, wo);
	return 1;
}
*/
import "C"

import "unsafe"

// cMaxPools names the C max pools for Status.
const cMaxPools = "tiled 2×2 max pools and their gradients in C (AVX-512 for 4 to 8 channels where the CPU has it)"

// scatterMax2x2Images32 is scatterMax over images lo..hi of a tiled 2×2 pool
// on float32, in C: one call per worker rather than per row (a cgo call
// costs about as much as a short row). On LeNet's first pool (6 channels) the
// AVX-512 loop took 0.22 ms against the Go loop's 1.65, on its second (16)
// the portable one 54 µs against 496 (one core, BenchmarkScatterMax2x2).
func scatterMax2x2Images32(x, v, dx []float32, g poolGeom, lo, hi int) {
	scatterMax2x2Images32C(x, v, dx, g, lo, hi, 1)
}

// scatterMax2x2Images32C is scatterMax2x2Images32 with the AVX-512 loop
// allowed (simd 1) or not (0).
func scatterMax2x2Images32C(x, v, dx []float32, g poolGeom, lo, hi, simd int) {
	if hi <= lo {
		return
	}
	img, out := g.h*g.w*g.c, g.ho*g.wo*g.c
	xs, ds, vs := x[lo*img:hi*img], dx[lo*img:hi*img], v[lo*out:hi*out]
	if len(xs) == 0 {
		return
	}
	var vp *C.float
	if len(vs) > 0 {
		vp = (*C.float)(unsafe.Pointer(&vs[0]))
	}
	C.ab_scatter_max2x2_f32((*C.float)(unsafe.Pointer(&xs[0])), vp, (*C.float)(unsafe.Pointer(&ds[0])),
		C.long(hi-lo), C.long(g.h), C.long(g.w), C.long(g.c), C.long(g.ho), C.long(g.wo), C.int(simd))
}

// maxPool2x2Rows32 is poolForward's tiled 2×2 max over output rows lo..hi on
// float32, in C where that is faster, Go's max exactly (a NaN wins, +0 over
// -0). LeNet's first pool took 0.24 ms instead of Go's 0.60, its second 0.052
// instead of 0.19 (one core, BenchmarkMaxPool2x2).
func maxPool2x2Rows32(x, y []float32, g poolGeom, lo, hi int) {
	maxPool2x2Rows32C(x, y, g, lo, hi, 1)
}

// maxPool2x2Rows32C is maxPool2x2Rows32 with the AVX-512 loop allowed (simd
// 1) or not (0).
func maxPool2x2Rows32C(x, y []float32, g poolGeom, lo, hi, simd int) {
	if hi <= lo || g.wo == 0 || g.c == 0 {
		return
	}
	_, _ = x[len(x)-1], y[hi*g.wo*g.c-1]
	if C.ab_maxpool2x2_f32((*C.float)(unsafe.Pointer(&x[0])), (*C.float)(unsafe.Pointer(&y[0])), C.long(lo), C.long(hi),
		C.long(g.h), C.long(g.w), C.long(g.c), C.long(g.ho), C.long(g.wo), C.int(simd)) == 0 {
		maxPool2x2Rows32Go(x, y, g, lo, hi)
	}
}
