// The memory-bound passes over θ on the hot path of every engine (the master's step, the threads'
// in-place writes, the gradient check), in the exact operation order of their JavaScript
// versions in src/rules/bases/thetaLoops.ts: double arithmetic rounded to float32 where stored, four
// partial sums with the n mod 4 leftovers first, no fused multiply-add. So they give the same
// bits, and a run's tables do not depend on whether the addon is built (theta_sum, used only to
// tell whether a vector is finite, sums in its own faster order).
#ifndef STALELAB_THETA_H
#define STALELAB_THETA_H

#include <stddef.h>

// θ ← θ − lr·g; returns Σ θ after the step.
double theta_sgd_step(float *theta, const float *g, double lr, size_t n);
// The same, and *gap_sq = Σ (θ − x)² over θ before the step.
double theta_sgd_step_gap(float *theta, const float *g, double lr, const float *x, size_t n, double *gap_sq);
// Σ (θ − x)², writing θ − x into out unless it is NULL.
double theta_gap(const float *theta, const float *x, float *out, size_t n);
// Σ v (non-finite iff some v_j is), summed in an order of its own: its value is not recorded.
double theta_sum(const float *v, size_t n);

// The instruction-set variant the passes use: "avx2" where the CPU has it, else "base".
const char *theta_isa(void);
// Use variant `name`: 0, or −1 for an unknown name, −2 for one this CPU lacks.
int theta_set_isa(const char *name);

#endif
