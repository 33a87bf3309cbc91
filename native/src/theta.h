// The passes over θ on the hot path of every engine (the master's step, the threads' in-place
// writes, the gradient check, the built-in rules' steps and transforms), in the exact operation
// order of their JavaScript versions in src/rules/bases/thetaLoops.ts: double arithmetic rounded
// to float32 where stored, each recorded sum (a gap, Gap-Aware's Σ G) added in the loop's order,
// no fused multiply-add. So they give the same bits, and a run's tables do not depend on whether
// the addon is built. Sums used only to tell whether a vector is finite (theta_sum, the momentum
// and DANA steps' checksums) add in their own faster order.
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

// The rules' passes (src/rules/bases/momentum.ts, transforms/gapAware.ts, stalenessAware.ts), in
// their JavaScript loops' arithmetic: v ← γv + g; θ ← θ − ηv (returns Σ θ after, only for its
// finiteness), with the gap Σ (θ − x)² in element order; Nesterov's θ ← θ − η(g + γv).
double theta_momentum_step(float *theta, float *v, const float *g, double lr, double gamma, size_t n);
double theta_momentum_step_gap(float *theta, float *v, const float *g, double lr, double gamma, const float *x, size_t n, double *gap_sq);
double theta_nesterov_step(float *theta, float *v, const float *g, double lr, double gamma, size_t n);
// Gap-Aware's penalty: s ← βs + (1−β)u²; g ← g / G; out = [Σ G in element order, max(1, G)].
void theta_gap_aware(float *s, float *g, const float *u, const float *gap, double beta, double correction, double lr_max, double epsilon, size_t n, double *out);
// g ← g / d.
void theta_divide(float *g, double d, size_t n);

// DANA-Zero (src/rules/bases/danaZero.ts): the look-ahead θ̂ = θ − c·S into out; the gap
// Σ (θ̂ − x)² in element order (θ̂ − x into out unless NULL); the receive v ← γv + g,
// S += v − v_before, θ ← θ − ηv (returns Σ θ after, only for its finiteness).
void theta_dana_send(float *out, const float *theta, const float *sum, double c, size_t n);
double theta_dana_gap(const float *theta, const float *sum, double c, const float *x, float *out, size_t n);
double theta_dana_step(float *theta, float *v, float *sum, const float *g, double lr, double gamma, size_t n);

// DC-ASGD's correction (src/rules/transforms/delayCompensation.ts): g ← g + λg²Δ, or with the
// adaptive λ = λ₀/√(ms + ε) after ms ← ρ·ms + (1 − ρ)g².
void theta_dc_constant(float *g, const float *d, double lambda, size_t n);
void theta_dc_adaptive(float *g, const float *d, float *ms, double lambda0, double decay, double epsilon, size_t n);

// The instruction-set variant the passes use: "avx2" where the CPU has it, else "base".
const char *theta_isa(void);
// Use variant `name`: 0, or −1 for an unknown name, −2 for one this CPU lacks.
int theta_set_isa(const char *name);

#endif
