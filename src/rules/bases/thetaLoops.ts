/**
 * The JavaScript versions of the passes over θ of thetaOps.ts, used where the native addon is not
 * built (native/src/theta_kernels.inc computes the same bits). In the ASGD passes four partial
 * sums break the add latency chain; the n mod 4 leftovers go first, because a tail loop after the
 * unrolled one has no type feedback when V8 compiles the main loop on-stack and deoptimised on
 * every call (3× slower). The rules' passes (momentum, DANA-Zero, Gap-Aware, DC-ASGD) are the
 * loops those rules had, moved here unchanged, so their recorded sums keep their order.
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

/**
 * Heavy-ball momentum, PyTorch form: v ← γv + g; θ ← θ − η v, or with `nesterov`
 * θ ← θ − η(g + γv) (v before its float32 rounding there). Returns Σ θ after the step.
 */
export function momentumStepJs(theta: Float32Array, v: Float32Array, g: Float32Array, lr: number, gamma: number, nesterov: boolean): number {
  let sum = 0;
  if (nesterov) {
    for (let j = 0; j < theta.length; j++) {
      const vj = (v[j] = gamma * v[j] + g[j]);
      theta[j] -= lr * (g[j] + gamma * vj);
      sum += theta[j];
    }
    return sum;
  }
  for (let j = 0; j < theta.length; j++) {
    v[j] = gamma * v[j] + g[j];
    theta[j] -= lr * v[j];
    sum += theta[j];
  }
  return sum;
}

/** `momentumStepJs` without Nesterov, and Σ_j (θ_j − x_j)² over θ before the step into `out.gapSq`. */
export function momentumStepWithGapJs(theta: Float32Array, v: Float32Array, g: Float32Array, lr: number, gamma: number, x: Float32Array, out: { gapSq: number }): number {
  let sum = 0;
  let gapSq = 0;
  // fround: the same float32 roundings as the step without the gap (v and θ are stored, then read back there).
  for (let j = 0; j < theta.length; j++) {
    const a = theta[j];
    const d = a - x[j];
    gapSq += d * d;
    const vj = (v[j] = Math.fround(gamma * v[j] + g[j]));
    sum += theta[j] = Math.fround(a - lr * vj);
  }
  out.gapSq = gapSq;
  return sum;
}

/**
 * Gap-Aware's penalty (gapAware.ts), per coordinate: s_j ← βs_j + (1−β)u_j²;
 * G_j = 1 + |Δ_j| / (η_max(√(s_j·correction) + ε)); g_j ← g_j / G_j. Writes Σ G and max(1, G) into out.
 */
export function gapAwareJs(s: Float32Array, g: Float32Array, u: Float32Array, gap: Float32Array, beta: number, correction: number, lrMax: number, epsilon: number, out: { total: number; max: number }): void {
  let total = 0;
  let max = 1;
  for (let j = 0; j < g.length; j++) {
    const sj = (s[j] = beta * s[j] + (1 - beta) * u[j] * u[j]);
    const c = lrMax * (Math.sqrt(sj * correction) + epsilon);
    const G = 1 + Math.abs(gap[j]) / c;
    g[j] /= G;
    total += G;
    if (G > max) max = G;
  }
  out.total = total;
  out.max = max;
}

/** g ← g / d. */
export function divideJs(g: Float32Array, d: number): void {
  for (let j = 0; j < g.length; j++) g[j] /= d;
}

/** DANA-Zero's look-ahead θ̂ = θ − c·S (c = ηγ) into out. */
export function danaSendJs(out: Float32Array, theta: Float32Array, sum: Float32Array, c: number): void {
  for (let j = 0; j < theta.length; j++) out[j] = theta[j] - c * sum[j];
}

/** Σ_j (θ̂_j − x_j)², θ̂ rounded as the send stores it (so an unchanged θ̂ gives Δ = 0 exactly); θ̂ − x into out. */
export function danaGapJs(theta: Float32Array, sum: Float32Array, c: number, x: Float32Array, out: Float32Array | null): number {
  let total = 0;
  for (let j = 0; j < theta.length; j++) {
    const d = Math.fround(theta[j] - c * sum[j]) - x[j];
    if (out) out[j] = d;
    total += d * d;
  }
  return total;
}

/** DANA-Zero's receive for one worker's v: v ← γv + g; S += v − v_before; θ ← θ − η v. Returns Σ θ after the step. */
export function danaStepJs(theta: Float32Array, v: Float32Array, sum: Float32Array, g: Float32Array, lr: number, gamma: number): number {
  let total = 0;
  for (let j = 0; j < theta.length; j++) {
    const old = v[j];
    const vj = (v[j] = gamma * old + g[j]);
    sum[j] += v[j] - old;
    theta[j] -= lr * vj;
    total += theta[j];
  }
  return total;
}

/**
 * DC-ASGD's correction g ← g + λ g⊙g⊙Δ; with `ms`, the adaptive λ = λ₀/√(ms + ε) after
 * ms ← ρ·ms + (1 − ρ)g² (ms before its float32 rounding in λ).
 */
export function delayCompensationJs(g: Float32Array, d: Float32Array, ms: Float32Array | null, lambda: number, lambda0: number, msDecay: number, epsilon: number): void {
  if (ms) {
    for (let j = 0; j < g.length; j++) {
      const gj = g[j];
      const m = (ms[j] = msDecay * ms[j] + (1 - msDecay) * gj * gj);
      g[j] = gj + (lambda0 / Math.sqrt(m + epsilon)) * gj * gj * d[j];
    }
    return;
  }
  for (let j = 0; j < g.length; j++) {
    const gj = g[j];
    g[j] = gj + lambda * gj * gj * d[j];
  }
}
