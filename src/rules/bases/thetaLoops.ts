/**
 * The JavaScript versions of the passes over θ of thetaOps.ts, used where the native addon is not
 * built (native/src/theta_kernels.inc computes the same bits). Four partial sums break the add latency
 * chain; the n mod 4 leftovers go first, because a tail loop after the unrolled one has no type
 * feedback when V8 compiles the main loop on-stack and deoptimised on every call (3× slower).
 */

/**
 * Σ (θ_j − x_j)², writing θ − x into out when given: the gap of every base that sends θ. Four
 * partial sums break the add latency chain (about 1.5× faster on a 235k-float model).
 */
export function gapToThetaJs(theta: Float32Array, x: Float32Array, out: Float32Array | null): number {
  const n = theta.length;
  const r = n & 3;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  // Leftovers before the unrolled loop: a tail loop after it would lack type feedback when V8
  // compiles the main loop on-stack, and deoptimise on every call.
  if (out) {
    for (; j < r; j++) {
      const d = (out[j] = theta[j] - x[j]);
      s0 += d * d;
    }
    for (; j < n; j += 4) {
      const d0 = (out[j] = theta[j] - x[j]);
      const d1 = (out[j + 1] = theta[j + 1] - x[j + 1]);
      const d2 = (out[j + 2] = theta[j + 2] - x[j + 2]);
      const d3 = (out[j + 3] = theta[j + 3] - x[j + 3]);
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
  } else {
    for (; j < r; j++) {
      const d = theta[j] - x[j];
      s0 += d * d;
    }
    for (; j < n; j += 4) {
      const d0 = theta[j] - x[j];
      const d1 = theta[j + 1] - x[j + 1];
      const d2 = theta[j + 2] - x[j + 2];
      const d3 = theta[j + 3] - x[j + 3];
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
  }
  return s0 + s1 + s2 + s3;
}

/**
 * θ ← θ − η g in place; returns Σ θ after the step (finite iff every θ_j is). The plain SGD step
 * of the library: the engines' ASGD and the benchmarks' reference step share it.
 */
export function sgdUpdateJs(theta: Float32Array, g: Float32Array, lr: number): number {
  const n = theta.length;
  const r = n & 3;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  // fround: sum what is stored, so a float32 overflow to ±Inf makes the checksum non-finite.
  // Leftovers first (see sgdUpdateWithGapJs).
  for (; j < r; j++) s0 += theta[j] = Math.fround(theta[j] - lr * g[j]);
  for (; j < n; j += 4) {
    s0 += theta[j] = Math.fround(theta[j] - lr * g[j]);
    s1 += theta[j + 1] = Math.fround(theta[j + 1] - lr * g[j + 1]);
    s2 += theta[j + 2] = Math.fround(theta[j + 2] - lr * g[j + 2]);
    s3 += theta[j + 3] = Math.fround(theta[j + 3] - lr * g[j + 3]);
  }
  return s0 + s1 + s2 + s3;
}

/**
 * `sgdUpdate` and Σ_j (θ_j − x_j)² over θ before the step, in one pass: the gap statistic of a
 * rule that sends θ, at the cost of one more read. Writes the gap into `out.gapSq`; returns the
 * checksum as `sgdUpdate` does. The n mod 4 leftovers go first: a tail loop after the unrolled one
 * has no type feedback when V8 compiles the main loop on-stack, and its deopt repeated on every
 * call (3× slower).
 */
export function sgdUpdateWithGapJs(theta: Float32Array, g: Float32Array, lr: number, x: Float32Array, out: { gapSq: number }): number {
  const n = theta.length;
  const r = n & 3;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let q0 = 0;
  let q1 = 0;
  let q2 = 0;
  let q3 = 0;
  let j = 0;
  for (; j < r; j++) {
    const a = theta[j];
    const d = a - x[j];
    q0 += d * d;
    s0 += theta[j] = Math.fround(a - lr * g[j]);
  }
  // Read θ before writing it: the gap is of the parameters the step starts from.
  for (; j < n; j += 4) {
    const a0 = theta[j];
    const a1 = theta[j + 1];
    const a2 = theta[j + 2];
    const a3 = theta[j + 3];
    const d0 = a0 - x[j];
    const d1 = a1 - x[j + 1];
    const d2 = a2 - x[j + 2];
    const d3 = a3 - x[j + 3];
    q0 += d0 * d0;
    q1 += d1 * d1;
    q2 += d2 * d2;
    q3 += d3 * d3;
    s0 += theta[j] = Math.fround(a0 - lr * g[j]);
    s1 += theta[j + 1] = Math.fround(a1 - lr * g[j + 1]);
    s2 += theta[j + 2] = Math.fround(a2 - lr * g[j + 2]);
    s3 += theta[j + 3] = Math.fround(a3 - lr * g[j + 3]);
  }
  out.gapSq = q0 + q1 + q2 + q3;
  return s0 + s1 + s2 + s3;
}

/** Σ v in double precision, four partial sums (non-finite iff some v_j is: float32 values cannot overflow it). */
export function sumJs(v: Float32Array): number {
  const n = v.length;
  const r = n & 3;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j < r; j++) s0 += v[j];
  for (; j < n; j += 4) {
    s0 += v[j];
    s1 += v[j + 1];
    s2 += v[j + 2];
    s3 += v[j + 3];
  }
  return s0 + s1 + s2 + s3;
}
