import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** What a set of runs says about a paper's claim. */
export type Verdict = 'reproduced' | 'not reproduced' | 'within noise';

/** The difference of two means (a − b) with its Welch t-interval, and the verdict on "a > b + margin". */
export interface ClaimComparison {
  meanA: number;
  meanB: number;
  nA: number;
  nB: number;
  /** meanA − meanB. */
  difference: number;
  level: number;
  /** Bounds of the `level` interval of the difference; null when either side has one value. */
  lower: number | null;
  upper: number | null;
  /** Welch–Satterthwaite degrees of freedom; null when either side has one value. */
  df: number | null;
  verdict: Verdict;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const variance = (xs: readonly number[], m: number) => xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);

function checkValues(name: string, xs: readonly number[]): void {
  if (xs.length === 0) throw new RangeError(`compareForClaim: ${name} has no values`);
  const bad = xs.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new RangeError(`compareForClaim: ${name}[${bad}] is ${xs[bad]}; every value must be finite (count a diverged run as chance accuracy first)`);
}

/**
 * Tests the claim "a is larger than b by more than `margin`" (margin may be negative: "a is no
 * worse than b by more than |margin|") from independent repetitions (one value per seed) with a
 * Welch t-interval of meanA − meanB: "reproduced" when the whole interval lies above the margin,
 * "not reproduced" when it lies below it, "within noise" when it straddles it, or when either side
 * has a single value (no spread to judge by). Unequal variances are expected: a rule that fails
 * at large N fails by different amounts per seed.
 */
export function compareForClaim(a: readonly number[], b: readonly number[], options: { margin?: number; level?: number } = {}): ClaimComparison {
  const level = options.level ?? 0.95;
  const margin = options.margin ?? 0;
  if (!(level > 0 && level < 1)) throw new RangeError(`compareForClaim: level must be in (0, 1), got ${level}`);
  if (!Number.isFinite(margin)) throw new RangeError(`compareForClaim: margin must be finite, got ${margin}`);
  checkValues('a', a);
  checkValues('b', b);
  const meanA = mean(a);
  const meanB = mean(b);
  const difference = meanA - meanB;
  const base = { meanA, meanB, nA: a.length, nB: b.length, difference, level };
  if (a.length < 2 || b.length < 2) return { ...base, lower: null, upper: null, df: null, verdict: 'within noise' };
  const va = variance(a, meanA) / a.length;
  const vb = variance(b, meanB) / b.length;
  const se = Math.sqrt(va + vb);
  if (se === 0) {
    const verdict: Verdict = difference > margin ? 'reproduced' : difference < margin ? 'not reproduced' : 'within noise';
    return { ...base, lower: difference, upper: difference, df: Infinity, verdict };
  }
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = tQuantile((1 + level) / 2, df) * se;
  const lower = difference - half;
  const upper = difference + half;
  const verdict: Verdict = lower > margin ? 'reproduced' : upper < margin ? 'not reproduced' : 'within noise';
  return { ...base, lower, upper, df, verdict };
}

/** "+0.012 [−0.004, +0.028]": a difference with its interval, for prose computed from tables. */
export function formatDifference(c: ClaimComparison, digits = 3): string {
  const f = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
  return c.lower === null || c.upper === null ? `${f(c.difference)} (one seed: no interval)` : `${f(c.difference)} [${f(c.lower)}, ${f(c.upper)}]`;
}
