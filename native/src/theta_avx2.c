// The θ passes on AVX2, where the CPU has it (theta.c asks): four doubles per register, and one
// instruction converts four floats, where SSE2 needs a shuffle and two conversions that all queue
// on the same port (that port, not memory, bounded the SSE2 passes at ~2.5 cycles per float).
// No FMA: "avx2" does not enable it and -ffp-contract=off forbids contraction, so the bits equal
// the other variants'.
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx2")
#include <immintrin.h>
#include <stddef.h>

#include "theta_isa.h"

typedef __m256d quad;
#define KERNEL(name) name##_avx2

static inline quad q_zero(void) { return _mm256_setzero_pd(); }
static inline quad q_first(double v) { return _mm256_set_pd(0, 0, 0, v); }
static inline quad q_splat(double v) { return _mm256_set1_pd(v); }
static inline quad q_load(const float *p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
// Round to float32 as the store does, store, and return what was stored as doubles.
static inline quad q_store(float *p, quad d) {
  __m128 f = _mm256_cvtpd_ps(d);
  _mm_storeu_ps(p, f);
  return _mm256_cvtps_pd(f);
}
// Rounded to float32 and back, as a store and a load would.
static inline quad q_round(quad d) { return _mm256_cvtps_pd(_mm256_cvtpd_ps(d)); }
static inline quad q_add(quad a, quad b) { return _mm256_add_pd(a, b); }
static inline quad q_sub(quad a, quad b) { return _mm256_sub_pd(a, b); }
static inline quad q_mul(quad a, quad b) { return _mm256_mul_pd(a, b); }
static inline quad q_div(quad a, quad b) { return _mm256_div_pd(a, b); }
static inline quad q_sqrt(quad a) { return _mm256_sqrt_pd(a); }
static inline quad q_abs(quad a) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), a); }
// a > m ? a : m per lane (m where a is NaN), as `if (G > max) max = G` does.
static inline quad q_max(quad a, quad m) { return _mm256_max_pd(a, m); }
static inline double q_get(quad a, int k) {
  double l[4];
  _mm256_storeu_pd(l, a);
  return l[k];
}
static inline double q_lanes(quad s) {
  double l[4];
  _mm256_storeu_pd(l, s);
  return l[0] + l[1] + l[2] + l[3];
}

#include "theta_kernels.inc"
#endif
