// The θ passes on any CPU: a quad is two pairs of doubles, what SSE2 (every x86-64) and NEON hold
// in a register. A four-double vector type instead made GCC keep the sums on the stack without
// AVX, a store and a reload per iteration.
#include <stddef.h>
#include <string.h>

#include "theta_isa.h"

typedef double v2d __attribute__((vector_size(16)));
typedef float v2f __attribute__((vector_size(8)));
typedef struct {
  v2d lo, hi;
} quad;
#define KERNEL(name) name##_base

static inline quad q_zero(void) { return (quad){{0, 0}, {0, 0}}; }
static inline quad q_first(double v) { return (quad){{v, 0}, {0, 0}}; }
static inline quad q_splat(double v) { return (quad){{v, v}, {v, v}}; }
static inline quad q_add(quad a, quad b) { return (quad){a.lo + b.lo, a.hi + b.hi}; }
static inline quad q_sub(quad a, quad b) { return (quad){a.lo - b.lo, a.hi - b.hi}; }
static inline quad q_mul(quad a, quad b) { return (quad){a.lo * b.lo, a.hi * b.hi}; }
static inline quad q_div(quad a, quad b) { return (quad){a.lo / b.lo, a.hi / b.hi}; }
static inline double q_lanes(quad s) { return s.lo[0] + s.lo[1] + s.hi[0] + s.hi[1]; }
static inline double q_get(quad a, int k) { return k < 2 ? a.lo[k] : a.hi[k - 2]; }
static inline double max1(double a, double m) { return a > m ? a : m; }
static inline quad q_max(quad a, quad m) { return (quad){{max1(a.lo[0], m.lo[0]), max1(a.lo[1], m.lo[1])}, {max1(a.hi[0], m.hi[0]), max1(a.hi[1], m.hi[1])}}; }
static inline quad q_abs(quad a) { return (quad){{__builtin_fabs(a.lo[0]), __builtin_fabs(a.lo[1])}, {__builtin_fabs(a.hi[0]), __builtin_fabs(a.hi[1])}}; }

#ifdef __SSE2__
#include <emmintrin.h>
static inline quad q_sqrt(quad a) { return (quad){(v2d)_mm_sqrt_pd((__m128d)a.lo), (v2d)_mm_sqrt_pd((__m128d)a.hi)}; }
// One 16-byte load converted in two halves: GCC turned two 8-byte loads into four scalar conversions.
static inline quad q_load(const float *p) {
  __m128 f = _mm_loadu_ps(p);
  return (quad){(v2d)_mm_cvtps_pd(f), (v2d)_mm_cvtps_pd(_mm_movehl_ps(f, f))};
}
// Rounded to float32 and back, as a store and a load would.
static inline quad q_round(quad d) {
  return (quad){(v2d)_mm_cvtps_pd(_mm_cvtpd_ps((__m128d)d.lo)), (v2d)_mm_cvtps_pd(_mm_cvtpd_ps((__m128d)d.hi))};
}
// Round to float32 as the store does, store, and return what was stored as doubles.
static inline quad q_store(float *p, quad d) {
  __m128 f = _mm_movelh_ps(_mm_cvtpd_ps((__m128d)d.lo), _mm_cvtpd_ps((__m128d)d.hi));
  _mm_storeu_ps(p, f);
  return (quad){(v2d)_mm_cvtps_pd(f), (v2d)_mm_cvtps_pd(_mm_movehl_ps(f, f))};
}
#else
static inline quad q_sqrt(quad a) { return (quad){{__builtin_sqrt(a.lo[0]), __builtin_sqrt(a.lo[1])}, {__builtin_sqrt(a.hi[0]), __builtin_sqrt(a.hi[1])}}; }
static inline quad q_load(const float *p) {
  v2f a, b;
  memcpy(&a, p, sizeof a);
  memcpy(&b, p + 2, sizeof b);
  return (quad){__builtin_convertvector(a, v2d), __builtin_convertvector(b, v2d)};
}
static inline quad q_round(quad d) {
  return (quad){__builtin_convertvector(__builtin_convertvector(d.lo, v2f), v2d), __builtin_convertvector(__builtin_convertvector(d.hi, v2f), v2d)};
}
static inline quad q_store(float *p, quad d) {
  v2f a = __builtin_convertvector(d.lo, v2f), b = __builtin_convertvector(d.hi, v2f);
  memcpy(p, &a, sizeof a);
  memcpy(p + 2, &b, sizeof b);
  return (quad){__builtin_convertvector(a, v2d), __builtin_convertvector(b, v2d)};
}
#endif

#include "theta_kernels.inc"
