#include "theta.h"

#include <string.h>

// Four lanes of double: lane k holds the partial sum of elements j ≡ k (mod 4), as the four
// scalar sums of the JavaScript loops do, so the vector code adds the same numbers in the same
// order (and compiles to two SSE2 registers per vector where AVX is not enabled).
typedef double v4d __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));

#define LOAD4(p) __builtin_convertvector(load4f(p), v4d)

static inline v4f load4f(const float *p) {
  v4f f;
  memcpy(&f, p, sizeof f);
  return f;
}

static inline double lanes(v4d s) { return s[0] + s[1] + s[2] + s[3]; }

double theta_sgd_step(float *restrict theta, const float *restrict g, double lr, size_t n) {
  size_t r = n & 3, j = 0;
  v4d s = {0, 0, 0, 0};
  for (; j < r; j++) {
    float t = (float)((double)theta[j] - lr * (double)g[j]);
    theta[j] = t;
    s[0] += t;
  }
  const v4d l = {lr, lr, lr, lr};
  for (; j < n; j += 4) {
    v4f t = __builtin_convertvector(LOAD4(theta + j) - l * LOAD4(g + j), v4f);
    memcpy(theta + j, &t, sizeof t);
    s += __builtin_convertvector(t, v4d);
  }
  return lanes(s);
}

double theta_sgd_step_gap(float *restrict theta, const float *restrict g, double lr, const float *restrict x, size_t n, double *gap_sq) {
  size_t r = n & 3, j = 0;
  v4d s = {0, 0, 0, 0}, q = {0, 0, 0, 0};
  for (; j < r; j++) {
    double a = theta[j], d = a - (double)x[j];
    q[0] += d * d;
    float t = (float)(a - lr * (double)g[j]);
    theta[j] = t;
    s[0] += t;
  }
  const v4d l = {lr, lr, lr, lr};
  for (; j < n; j += 4) {
    v4d a = LOAD4(theta + j), d = a - LOAD4(x + j);
    q += d * d;
    v4f t = __builtin_convertvector(a - l * LOAD4(g + j), v4f);
    memcpy(theta + j, &t, sizeof t);
    s += __builtin_convertvector(t, v4d);
  }
  *gap_sq = lanes(q);
  return lanes(s);
}

double theta_gap(const float *restrict theta, const float *restrict x, float *restrict out, size_t n) {
  size_t r = n & 3, j = 0;
  v4d s = {0, 0, 0, 0};
  // As in JavaScript: θ − x (a double) is stored as float32 and the unrounded double is summed.
  for (; j < r; j++) {
    double d = (double)theta[j] - (double)x[j];
    if (out) out[j] = (float)d;
    s[0] += d * d;
  }
  for (; j < n; j += 4) {
    v4d d = LOAD4(theta + j) - LOAD4(x + j);
    if (out) {
      v4f f = __builtin_convertvector(d, v4f);
      memcpy(out + j, &f, sizeof f);
    }
    s += d * d;
  }
  return lanes(s);
}

// Its value only says whether every v_j is finite, so its order is free: four vector sums break
// the add latency chain that one would be (2 cycles per float on a 2.1 GHz Xeon, 4× slower).
double theta_sum(const float *restrict v, size_t n) {
  size_t r = n & 15, j = 0;
  v4d s0 = {0, 0, 0, 0}, s1 = s0, s2 = s0, s3 = s0;
  for (; j < r; j++) s0[0] += v[j];
  for (; j < n; j += 16) {
    s0 += LOAD4(v + j);
    s1 += LOAD4(v + j + 4);
    s2 += LOAD4(v + j + 8);
    s3 += LOAD4(v + j + 12);
  }
  return lanes(s0 + s1 + s2 + s3);
}
