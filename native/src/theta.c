// The passes over θ on the hot path of every engine (the master's step, the threads' in-place
// writes, the gradient check, the built-in rules' steps and transforms), in the exact operation order of their JavaScript
// versions in src/rules/bases/thetaLoops.ts, in the variant for this CPU's instruction set
// (theta_kernels.inc, written once; the variants give the same bits).
#include "theta.h"

#include <string.h>

#include "theta_isa.h"

enum { ISA_UNSET = -1, ISA_BASE = 0, ISA_AVX2 = 1 };
static int isa = ISA_UNSET;

static int cpu_has_avx2(void) {
#if defined(__x86_64__) && defined(__GNUC__)
  return __builtin_cpu_supports("avx2");
#else
  return 0;
#endif
}

// Every thread picks the same, so the race of the first calls is harmless; atomics keep it defined.
static int current(void) {
  int v = __atomic_load_n(&isa, __ATOMIC_RELAXED);
  if (v == ISA_UNSET) {
    v = cpu_has_avx2() ? ISA_AVX2 : ISA_BASE;
    __atomic_store_n(&isa, v, __ATOMIC_RELAXED);
  }
  return v;
}

const char *theta_isa(void) { return current() == ISA_AVX2 ? "avx2" : "base"; }

int theta_set_isa(const char *name) {
  if (strcmp(name, "base") == 0) {
    __atomic_store_n(&isa, ISA_BASE, __ATOMIC_RELAXED);
    return 0;
  }
  if (strcmp(name, "avx2") == 0) {
    if (!cpu_has_avx2()) return -2;
    __atomic_store_n(&isa, ISA_AVX2, __ATOMIC_RELAXED);
    return 0;
  }
  return -1;
}

#if defined(__x86_64__) && defined(__GNUC__)
#define DISPATCH(name, ...) return current() == ISA_AVX2 ? name##_avx2(__VA_ARGS__) : name##_base(__VA_ARGS__)
#else
#define DISPATCH(name, ...) return name##_base(__VA_ARGS__)
#endif

double theta_sgd_step(float *theta, const float *g, double lr, size_t n) { DISPATCH(theta_sgd_step, theta, g, lr, n); }

double theta_sgd_step_gap(float *theta, const float *g, double lr, const float *x, size_t n, double *gap_sq) {
  DISPATCH(theta_sgd_step_gap, theta, g, lr, x, n, gap_sq);
}

double theta_gap(const float *theta, const float *x, float *out, size_t n) { DISPATCH(theta_gap, theta, x, out, n); }

double theta_sum(const float *v, size_t n) { DISPATCH(theta_sum, v, n); }

double theta_momentum_step(float *theta, float *v, const float *g, double lr, double gamma, size_t n) {
  DISPATCH(theta_momentum_step, theta, v, g, lr, gamma, n);
}

double theta_momentum_step_gap(float *theta, float *v, const float *g, double lr, double gamma, const float *x, size_t n, double *gap_sq) {
  DISPATCH(theta_momentum_step_gap, theta, v, g, lr, gamma, x, n, gap_sq);
}

double theta_nesterov_step(float *theta, float *v, const float *g, double lr, double gamma, size_t n) {
  DISPATCH(theta_nesterov_step, theta, v, g, lr, gamma, n);
}

void theta_gap_aware(float *s, float *g, const float *u, const float *gap, double beta, double correction, double lr_max, double epsilon, size_t n, double *out) {
  DISPATCH(theta_gap_aware, s, g, u, gap, beta, correction, lr_max, epsilon, n, out);
}

void theta_divide(float *g, double d, size_t n) { DISPATCH(theta_divide, g, d, n); }

void theta_dana_send(float *out, const float *theta, const float *sum, double c, size_t n) { DISPATCH(theta_dana_send, out, theta, sum, c, n); }

double theta_dana_gap(const float *theta, const float *sum, double c, const float *x, float *out, size_t n) {
  DISPATCH(theta_dana_gap, theta, sum, c, x, out, n);
}

double theta_dana_step(float *theta, float *v, float *sum, const float *g, double lr, double gamma, size_t n) {
  DISPATCH(theta_dana_step, theta, v, sum, g, lr, gamma, n);
}

void theta_dc_constant(float *g, const float *d, double lambda, size_t n) { DISPATCH(theta_dc_constant, g, d, lambda, n); }

void theta_dc_adaptive(float *g, const float *d, float *ms, double lambda0, double decay, double epsilon, size_t n) {
  DISPATCH(theta_dc_adaptive, g, d, ms, lambda0, decay, epsilon, n);
}
