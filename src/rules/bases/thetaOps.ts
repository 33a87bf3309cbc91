import { loadBlasAddon } from '../../backend/blas/blasAddon.ts';
import { gapToThetaJs, sgdUpdateJs, sgdUpdateWithGapJs, sumJs } from './thetaLoops.ts';

/**
 * The memory-bound passes over θ that every engine's hot path runs (the simulated master's step,
 * the threads' in-place stores, the gradient check). V8 runs them at about 2.5 ns per float, as
 * long as a small model's gradient on BLAS takes; where the native addon is built they run in C
 * (native/src/theta_kernels.inc), in an AVX2 variant where the CPU has it (~0.5 ns per float) and
 * a base one (SSE2 or NEON) elsewhere, all with the same bits as the JavaScript loops
 * (thetaLoops.ts), so a run's tables do not depend on which ran (`sumOf`, whose value only says
 * whether a vector is finite, adds in its own order). STALELAB_THETA_KERNELS picks one: js, base
 * or avx2 (unset: the fastest there is).
 */
export const THETA_KERNELS = ['js', 'base', 'avx2'] as const;
export type ThetaKernels = (typeof THETA_KERNELS)[number];

// Below this many floats the call into the addon costs more than the loop.
const NATIVE_FROM = 1024;

interface NativeKernels {
  sgdStep(theta: Float32Array, g: Float32Array, lr: number): number;
  sgdStepWithGap(theta: Float32Array, g: Float32Array, lr: number, x: Float32Array, gapSq: Float64Array): number;
  gapSq(theta: Float32Array, x: Float32Array, out: Float32Array | null): number;
  sum(v: Float32Array): number;
  thetaIsa?(name?: string): string;
}

function loadNative(): NativeKernels | null {
  const chosen = process.env.STALELAB_THETA_KERNELS;
  if (chosen !== undefined && chosen !== '' && !(THETA_KERNELS as readonly string[]).includes(chosen)) {
    throw new RangeError(`STALELAB_THETA_KERNELS must be one of ${THETA_KERNELS.join(', ')} (or unset for the fastest), got '${chosen}'`);
  }
  if (chosen === 'js') return null;
  const loaded = loadBlasAddon();
  const a = 'addon' in loaded ? loaded.addon : null;
  // An addon built before these kernels lacks them: JavaScript then, unless a C variant was asked for.
  const usable = a && a.sgdStep && a.sgdStepWithGap && a.gapSq && a.sum ? (a as NativeKernels) : null;
  if (chosen === 'base' || chosen === 'avx2') {
    if (!usable?.thetaIsa) throw new Error(`STALELAB_THETA_KERNELS=${chosen} needs the native addon with its θ passes: ${'error' in loaded ? loaded.error : 'rebuild it (npm run build:native)'}`);
    usable.thetaIsa(chosen);
  }
  return usable;
}

// Loaded on the first pass long enough to use it: a run on a small problem never loads OpenBLAS
// (and never starts its threads).
let loaded: NativeKernels | null | undefined;
const nativeFor = (n: number): NativeKernels | null => (n < NATIVE_FROM ? null : (loaded ??= loadNative()));
const gapOut = new Float64Array(1);

/** Which implementation the θ passes of D ≥ 1024 floats use in this thread. */
export function thetaKernels(): ThetaKernels {
  const native = nativeFor(NATIVE_FROM);
  if (!native) return 'js';
  return (native.thetaIsa?.() ?? 'base') as ThetaKernels;
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
