import { parseConfig } from '../config/validate.ts';
import type { StalenessScaler } from './stalenessScaler.ts';
import { clampTau, distributionFromCounts } from './stalenessDistribution.ts';
import { measuredScales, stepSizeFunction } from './stepSizeFunction.ts';
import { fleetBeta } from './staticStepSizes.ts';
import { isMeasured, stepSizeSpecSchema, type MeasuredStepSizeSpec, type StepSizeSpec, type StepSizeSpecInput } from './stepSizeSpec.ts';

export { stepSizeSpecSchema };
export type { StepSizeSpec, StepSizeSpecInput, StepSizeKind } from './stepSizeSpec.ts';

// Int32 cells of the scaler state. Every access is an Atomics operation so that T threads can
// share one state in a SharedArrayBuffer; on an ordinary ArrayBuffer the same code is single-threaded.
const OBSERVED = 0; // observe() calls so far = index of the next update
const FILLED = 1; // warm-up window values recorded so far
const HEADER = 2;

function ringLength(spec: MeasuredStepSizeSpec): number {
  const r = spec.refresh;
  if (!r) return 0;
  return r.mode === 'sliding' ? r.window : Math.ceil(10 * r.halfLife);
}

/** Int32 cells of state a scaler for this (validated) spec needs. */
export function stalenessScalerCells(spec: StepSizeSpec): number {
  return isMeasured(spec) ? HEADER + spec.maxTau + 1 + ringLength(spec) : HEADER;
}

/** Bytes of state a scaler for this spec needs (allocate a SharedArrayBuffer of this size for threads). */
export function stalenessScalerStateBytes(specInput: StepSizeSpecInput | string): number {
  return stalenessScalerCells(parseConfig(stepSizeSpecSchema, specInput, 'stepSize')) * Int32Array.BYTES_PER_ELEMENT;
}

export interface StalenessScalerOptions {
  /**
   * Shared state (a zero-filled buffer of `stalenessScalerStateBytes(spec)` bytes) so that the
   * scalers of T threads warm up on, and freeze, one common histogram. Default: a private buffer.
   */
  state?: SharedArrayBuffer;
}

/**
 * An online step size for an engine (ALGORITHMS.md §3), from a spec as a user writes it; see
 * `stalenessScaler`.
 */
export function makeStalenessScaler(specInput: StepSizeSpecInput | string, parallelism: number, opts: StalenessScalerOptions = {}): StalenessScaler {
  const spec = parseConfig(stepSizeSpecSchema, specInput, 'stepSize');
  const bytes = stalenessScalerCells(spec) * Int32Array.BYTES_PER_ELEMENT;
  if (opts.state && opts.state.byteLength !== bytes) {
    throw new RangeError(`state: expected a buffer of ${bytes} bytes for this step size, got ${opts.state.byteLength}`);
  }
  return stalenessScaler(spec, parallelism, new Int32Array(opts.state ?? new ArrayBuffer(bytes)));
}

/**
 * The scaler of a validated spec over `cells` (stalenessScalerCells(spec) Int32 cells, zero-filled;
 * shared memory when T threads share one warm-up). Static kinds scale at once. Measured kinds
 * (tail-tau, normalised-exponential) return s ≡ 1 until the warm-up window of updates
 * warmupStart·T … warmupEnd·T − 1 has been observed, then derive s(τ) from that window's histogram
 * and freeze it (optionally refreshed online, see the spec's `refresh`). For an exact warm-up call
 * `scale(τ)` before `observe(τ)` for each update: update warmupEnd·T is then the first one scaled.
 */
export function stalenessScaler(spec: StepSizeSpec, parallelism: number, cells: Int32Array): StalenessScaler {
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new RangeError(`parallelism: expected an integer ≥ 1 (threads or workers), got ${parallelism}`);
  }
  if (cells.length !== stalenessScalerCells(spec)) throw new RangeError(`cells: expected ${stalenessScalerCells(spec)} cells for this step size, got ${cells.length}`);
  const description = { ...spec, parallelism, ...(spec.kind === 'fleet-exponential' ? { beta: fleetBeta(parallelism) } : {}) };

  if (!isMeasured(spec)) {
    const s = stepSizeFunction(spec, parallelism, null);
    return {
      scale: s,
      observe: (tau) => {
        clampTau(tau, Number.MAX_SAFE_INTEGER);
        Atomics.add(cells, OBSERVED, 1);
      },
      describe: () => description,
    };
  }
  return measuredScaler(spec, parallelism, cells, description);
}

function measuredScaler(
  spec: MeasuredStepSizeSpec,
  parallelism: number,
  cells: Int32Array,
  description: Record<string, unknown>,
): StalenessScaler {
  const windowStart = spec.warmupStart * parallelism;
  const windowEnd = spec.warmupEnd * parallelism;
  const windowSize = windowEnd - windowStart;
  const hist = cells.subarray(HEADER, HEADER + spec.maxTau + 1);
  const ring = cells.subarray(HEADER + spec.maxTau + 1);
  let table: Float64Array | null = null;
  let refreshRound = 0;

  const freezeFromWindow = (): void => {
    const counts = new Float64Array(hist.length);
    for (let t = 0; t < hist.length; t++) counts[t] = Atomics.load(hist, t);
    table = measuredScales(spec, distributionFromCounts(counts, spec.maxTau));
  };

  /** Rebuild from the newest ring values; `n` is the number of updates observed so far. */
  const refreshFromRing = (n: number): void => {
    const r = spec.refresh!;
    const counts = new Float64Array(hist.length);
    for (let age = 0; age < ring.length && age < n; age++) {
      // Ring cells hold τ + 1 so that 0 (a fresh buffer) means "not written yet".
      const cell = Atomics.load(ring, (n - 1 - age) % ring.length);
      if (cell === 0) continue;
      counts[cell - 1] += r.mode === 'sliding' ? 1 : Math.pow(2, -age / r.halfLife);
    }
    table = measuredScales(spec, distributionFromCounts(counts, spec.maxTau));
  };

  return {
    scale(tau) {
      const t = clampTau(tau, spec.maxTau);
      if (!table) {
        // All window values are recorded once FILLED reaches the window size (each increment
        // follows its histogram increment), so the histogram read below is complete.
        if (Atomics.load(cells, FILLED) < windowSize) return 1;
        freezeFromWindow();
      }
      if (spec.refresh) {
        const n = Atomics.load(cells, OBSERVED);
        const round = Math.floor((n - windowEnd) / spec.refresh.every);
        if (round > refreshRound) {
          refreshRound = round;
          refreshFromRing(n);
        }
      }
      return table![t];
    },
    observe(tau) {
      const t = clampTau(tau, spec.maxTau);
      const i = Atomics.add(cells, OBSERVED, 1);
      if (i >= windowStart && i < windowEnd) {
        Atomics.add(hist, t, 1);
        Atomics.add(cells, FILLED, 1);
      }
      if (ring.length > 0) Atomics.store(ring, i % ring.length, t + 1);
    },
    describe: () => ({ ...description, warmupUpdates: windowEnd, frozen: table !== null }),
  };
}
