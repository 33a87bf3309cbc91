// The θ passes of each instruction-set variant (theta_base.c, theta_avx2.c); theta.c picks one.
#ifndef STALELAB_THETA_ISA_H
#define STALELAB_THETA_ISA_H

#include <stddef.h>

#define THETA_VARIANT(suffix)                                                                                   \
  double theta_sgd_step_##suffix(float *theta, const float *g, double lr, size_t n);                          \
  double theta_sgd_step_gap_##suffix(float *theta, const float *g, double lr, const float *x, size_t n,       \
                                     double *gap_sq);                                                          \
  double theta_gap_##suffix(const float *theta, const float *x, float *out, size_t n);                        \
  double theta_sum_##suffix(const float *v, size_t n);                                                        \
  double theta_momentum_step_##suffix(float *theta, float *v, const float *g, double lr, double gamma, size_t n); \
  double theta_momentum_step_gap_##suffix(float *theta, float *v, const float *g, double lr, double gamma,       \
                                          const float *x, size_t n, double *gap_sq);                             \
  double theta_nesterov_step_##suffix(float *theta, float *v, const float *g, double lr, double gamma, size_t n); \
  void theta_gap_aware_##suffix(float *s, float *g, const float *u, const float *gap, double beta,               \
                                double correction, double lr_max, double epsilon, size_t n, double *out);        \
  void theta_divide_##suffix(float *g, double d, size_t n);                                                   \
  void theta_dana_send_##suffix(float *out, const float *theta, const float *sum, double c, size_t n);         \
  double theta_dana_gap_##suffix(const float *theta, const float *sum, double c, const float *x, float *out,   \
                                 size_t n);                                                                    \
  double theta_dana_step_##suffix(float *theta, float *v, float *sum, const float *g, double lr, double gamma,  \
                                  size_t n);                                                                   \
  void theta_dc_constant_##suffix(float *g, const float *d, double lambda, size_t n);                          \
  void theta_dc_adaptive_##suffix(float *g, const float *d, float *ms, double lambda0, double decay,           \
                                  double epsilon, size_t n);

THETA_VARIANT(base)
#if defined(__x86_64__) && defined(__GNUC__)
THETA_VARIANT(avx2)
#endif

#endif
