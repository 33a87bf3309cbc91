import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** The mean of repeated measurements (e.g. one value per seed) with its Student-t confidence interval. */
export interface MeanInterval {
  mean: number;
  /** Sample standard deviation (n − 1); null with one value. */
  sd: number | null;
  n: number;
  /** Confidence level of the interval, e.g. 0.95. */
  level: number;
  /** t_{(1+level)/2, n−1} · sd / √n; null with one value (no spread to estimate). */
  halfWidth: number | null;
  lower: number | null;
  upper: number | null;
}

/** Half-width of the Student-t interval for a mean of n values with sample sd (null for n < 2). */
export function tHalfWidth(sd: number, n: number, level = 0.95): number | null {
  if (!(level > 0 && level < 1)) throw new RangeError(`tHalfWidth: level must be in (0, 1), got ${level}`);
  if (n < 2 || !Number.isFinite(sd)) return null;
  return tQuantile((1 + level) / 2, n - 1) * (sd / Math.sqrt(n));
}

/**
 * Mean and `level` (default 95 %) t-interval of the mean over values that are independent
 * repetitions (seeds): mean ± t_{(1+level)/2, n−1}·s/√n. With 2–5 seeds the t quantile (12.7 at
 * n = 2, 4.3 at n = 3, 2.8 at n = 5) makes the interval much wider than ± sd: that is the honest
 * uncertainty of so few repetitions. Every value must be finite (a diverged run's NaN is the
 * caller's to count or exclude).
 */
export function meanInterval(values: readonly number[], level = 0.95): MeanInterval {
  if (values.length === 0) throw new RangeError('meanInterval: no values');
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`meanInterval: value ${bad} is ${values[bad]}; every value must be finite`);
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : null;
  const halfWidth = sd === null ? tHalfWidth(NaN, n, level) : tHalfWidth(sd, n, level);
  return { mean, sd, n, level, halfWidth, lower: halfWidth === null ? null : mean - halfWidth, upper: halfWidth === null ? null : mean + halfWidth };
}
