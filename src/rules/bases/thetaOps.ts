import { loadBlasAddon, type BlasAddon } from '../../backend/blas/blasAddon.ts';
import { danaGapJs, danaSendJs, danaStepJs, delayCompensationJs, divideJs, gapAwareJs, gapToThetaJs, momentumStepJs, momentumStepWithGapJs, sgdUpdateJs, sgdUpdateWithGapJs, sumJs } from './thetaLoops.ts';

/**
 * The passes over θ that every engine's hot path runs (the simulated master's step, the threads'
 * in-place stores, the gradient check; the momentum and DANA bases' send, gap and step,
 * Gap-Aware's penalty, the Staleness-Aware division, DC-ASGD's correction). V8 runs them at about
 * 2.5 ns per float or slower, as long as a small model's gradient on BLAS takes; where the native
 * addon is built they run in C (native/src/theta_kernels.inc), in an AVX2 variant where the CPU
 * has it (~0.5 ns per float) and a base one (SSE2 or NEON) elsewhere, all with the same bits as
 * the JavaScript loops (thetaLoops.ts), so a run's tables do not depend on which ran (`sumOf` and
 * the steps' checksums, whose values only say whether a vector is finite, add in their own
 * order). STALELAB_THETA_KERNELS picks one: js, base or avx2 (unset: the fastest there is).
 */
export const THETA_KERNELS = ['js', 'base', 'avx2'] as const;
export type ThetaKernels = (typeof THETA_KERNELS)[number];

// Below this many floats the call into the addon costs more than the loop.
const NATIVE_FROM = 1024;

// The addon's θ passes (absent from one built before them), every one present.
const PASSES = ['sgdStep', 'sgdStepWithGap', 'gapSq', 'sum', 'thetaIsa', 'momentumStep', 'momentumStepWithGap', 'gapAware', 'divide', 'danaSend', 'danaGap', 'danaStep', 'delayCompensation'] as const;
type NativeKernels = Required<Pick<BlasAddon, (typeof PASSES)[number]>>;

function loadNative(): NativeKernels | null {
  const chosen = process.env.STALELAB_THETA_KERNELS;
  if (chosen !== undefined && chosen !== '' && !(THETA_KERNELS as readonly string[]).includes(chosen)) {
    throw new RangeError(`STALELAB_THETA_KERNELS must be one of ${THETA_KERNELS.join(', ')} (or unset for the fastest), got '${chosen}'`);
  }
  if (chosen === 'js') return null;
  const loaded = loadBlasAddon();
  const a = 'addon' in loaded ? loaded.addon : null;
  // An addon built before these kernels lacks them: JavaScript then, unless a C variant was asked for.
  const usable = a && PASSES.every((p) => typeof a[p] === 'function') ? (a as NativeKernels) : null;
  if (chosen === 'base' || chosen === 'avx2') {
    if (!usable) throw new Error(`STALELAB_THETA_KERNELS=${chosen} needs the native addon with its θ passes: ${'error' in loaded ? loaded.error : 'rebuild it (npm run build:native)'}`);
    usable.thetaIsa(chosen);
  }
  return usable;
}

// Loaded on the first pass long enough to use it: a run on a small problem never loads OpenBLAS
// (and never starts its threads).
let loaded: NativeKernels | null | undefined;
const nativeFor = (n: number): NativeKernels | null => (n < NATIVE_FROM ? null : (loaded ??= loadNative()));
const gapOut = new Float64Array(1);
const penaltyOut = new Float64Array(2);

/** Which implementation the θ passes of D ≥ 1024 floats use in this thread. */
export function thetaKernels(): ThetaKernels {
  const native = nativeFor(NATIVE_FROM);
  if (!native) return 'js';
  return native.thetaIsa() as ThetaKernels;
}

/** Σ (θ_j − x_j)², writing θ − x into out when given: the gap of every base that sends θ. */
export function gapToTheta(theta: Float32Array, x: Float32Array, out: Float32Array | null): number {
  const native = nativeFor(theta.length);
  return native ? native.gapSq(theta, x, out) : gapToThetaJs(theta, x, out);
}

/**
 * θ ← θ − η g in place; returns Σ θ after the step (finite iff every θ_j is). The plain SGD step
 * of the library: the engines' ASGD and the benchmarks' reference step share it.
 */
export function sgdUpdate(theta: Float32Array, g: Float32Array, lr: number): number {
  const native = nativeFor(theta.length);
  return native ? native.sgdStep(theta, g, lr) : sgdUpdateJs(theta, g, lr);
}

/**
 * `sgdUpdate` and Σ_j (θ_j − x_j)² over θ before the step, in one pass: the gap statistic of a
 * rule that sends θ, at the cost of one more read. Writes the gap into `out.gapSq`; returns the
 * checksum as `sgdUpdate` does.
 */
export function sgdUpdateWithGap(theta: Float32Array, g: Float32Array, lr: number, x: Float32Array, out: { gapSq: number }): number {
  const native = nativeFor(theta.length);
  if (!native) return sgdUpdateWithGapJs(theta, g, lr, x, out);
  const checksum = native.sgdStepWithGap(theta, g, lr, x, gapOut);
  out.gapSq = gapOut[0];
  return checksum;
}

/**
 * Σ v in double precision: non-finite iff some v_j is (float32 values cannot overflow the sum).
 * Its value beyond that depends on the implementation's order of adding.
 */
export function sumOf(v: Float32Array): number {
  const native = nativeFor(v.length);
  return native ? native.sum(v) : sumJs(v);
}

/**
 * Heavy-ball momentum: v ← γv + g; θ ← θ − η v, or with `nesterov` θ ← θ − η(g + γv). Returns
 * Σ θ after the step, whose value only says whether θ is finite (the addon adds in its own order).
 */
export function momentumStep(theta: Float32Array, v: Float32Array, g: Float32Array, lr: number, gamma: number, nesterov: boolean): number {
  const native = nativeFor(theta.length);
  return native ? native.momentumStep(theta, v, g, lr, gamma, nesterov) : momentumStepJs(theta, v, g, lr, gamma, nesterov);
}

/** `momentumStep` without Nesterov and Σ_j (θ_j − x_j)² over θ before the step, into `out.gapSq`. */
export function momentumStepWithGap(theta: Float32Array, v: Float32Array, g: Float32Array, lr: number, gamma: number, x: Float32Array, out: { gapSq: number }): number {
  const native = nativeFor(theta.length);
  if (!native) return momentumStepWithGapJs(theta, v, g, lr, gamma, x, out);
  const checksum = native.momentumStepWithGap(theta, v, g, lr, gamma, x, gapOut);
  out.gapSq = gapOut[0];
  return checksum;
}

/** Gap-Aware's penalty in place (gapAwareJs); Σ G and max(1, G) into out. */
export function gapAwarePenalty(s: Float32Array, g: Float32Array, u: Float32Array, gap: Float32Array, beta: number, correction: number, lrMax: number, epsilon: number, out: { total: number; max: number }): void {
  const native = nativeFor(g.length);
  if (!native) return gapAwareJs(s, g, u, gap, beta, correction, lrMax, epsilon, out);
  native.gapAware(s, g, u, gap, beta, correction, lrMax, epsilon, penaltyOut);
  out.total = penaltyOut[0];
  out.max = penaltyOut[1];
}

/** g ← g / d. */
export function divideBy(g: Float32Array, d: number): void {
  const native = nativeFor(g.length);
  if (native) native.divide(g, d);
  else divideJs(g, d);
}

/** DANA-Zero's look-ahead θ̂ = θ − c·S into out (c = ηγ). */
export function danaLookAhead(out: Float32Array, theta: Float32Array, sum: Float32Array, c: number): void {
  const native = nativeFor(theta.length);
  if (native) native.danaSend(out, theta, sum, c);
  else danaSendJs(out, theta, sum, c);
}

/** Σ_j (θ̂_j − x_j)² of DANA-Zero's look-ahead, θ̂ − x into out when given. */
export function danaGap(theta: Float32Array, sum: Float32Array, c: number, x: Float32Array, out: Float32Array | null): number {
  const native = nativeFor(theta.length);
  return native ? native.danaGap(theta, sum, c, x, out) : danaGapJs(theta, sum, c, x, out);
}

/** DANA-Zero's receive of g for the worker whose buffer is v; returns Σ θ after, only for its finiteness. */
export function danaStep(theta: Float32Array, v: Float32Array, sum: Float32Array, g: Float32Array, lr: number, gamma: number): number {
  const native = nativeFor(theta.length);
  return native ? native.danaStep(theta, v, sum, g, lr, gamma) : danaStepJs(theta, v, sum, g, lr, gamma);
}

/** DC-ASGD's correction g ← g + λ g⊙g⊙Δ, adaptive (λ = λ₀/√(ms + ε), ms updated first) when `ms` is given. */
export function delayCompensate(g: Float32Array, d: Float32Array, ms: Float32Array | null, lambda: number, lambda0: number, msDecay: number, epsilon: number): void {
  const native = nativeFor(g.length);
  if (native) native.delayCompensation(g, d, ms, lambda, lambda0, msDecay, epsilon);
  else delayCompensationJs(g, d, ms, lambda, lambda0, msDecay, epsilon);
}
