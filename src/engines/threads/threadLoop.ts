import type { BatchSource } from '../../data/dataset.ts';
import type { GradientOracle } from '../../oracle/oracle.ts';
import type { LrSchedule } from '../../schedule/lrSchedule.ts';
import type { StalenessScaler } from '../../stepsize/stalenessScaler.ts';
import type { ParameterStore } from './parameterStore.ts';
import { Cell, nowMs, requestStop, stopRequested, type SharedControl } from './sharedControl.ts';
import type { ThreadRowBuffer } from './threadRows.ts';
import type { ThreadStats } from './workerMessages.ts';

/**
 * Whether every g_j is finite, from their sum in double precision: a NaN or ±Inf makes the sum
 * non-finite, and float32 values cannot overflow a double sum. One branch-free pass with four
 * partial sums (leftovers first, so that V8's on-stack compiled loop has no untried code after
 * it) instead of a test per element.
 */
function allFinite(g: Float32Array): boolean {
  const n = g.length;
  const r = n & 3;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j < r; j++) s0 += g[j];
  for (; j < n; j += 4) {
    s0 += g[j];
    s1 += g[j + 1];
    s2 += g[j + 2];
    s3 += g[j + 3];
  }
  return Number.isFinite(s0 + s1 + s2 + s3);
}

/**
 * One thread's AsyncSGD loop: take the next minibatch index k, read θ and its version v0,
 * compute the gradient on batch k, write (τ = versions applied in between), log the row. Stops
 * when the shared budget of minibatches is spent, or another thread or the main thread asks every
 * thread to stop. A diverging gradient (non-finite, or a loss above the shared bound) is not
 * applied: it records where and stops everyone.
 */
export async function runThreadLoop(args: {
  oracle: GradientOracle;
  batches: BatchSource;
  batchSize: number;
  store: ParameterStore;
  scaler: StalenessScaler;
  control: SharedControl;
  lrAt: LrSchedule;
  bound: { exceeded(loss: number): boolean };
  budget: number;
  rows: ThreadRowBuffer;
  stats: ThreadStats;
}): Promise<void> {
  const { oracle, batches, batchSize, store, scaler, control, lrAt, bound, budget, rows, stats } = args;
  const { cells } = control;
  const t0 = control.startMs[0];
  while (!stopRequested(control)) {
    const k = Atomics.add(cells, Cell.NEXT_BATCH, 1);
    if (k >= budget) break;
    const batch = batches.at(k);
    const view = store.read();
    let result: { loss: number; g: Float32Array };
    try {
      result = await oracle.gradient(view.theta, batch);
    } finally {
      view.release();
    }
    if (view.overlapped) stats.overlapped++;
    if (!Number.isFinite(result.loss) || !allFinite(result.g) || bound.exceeded(result.loss)) {
      Atomics.compareExchange(cells, Cell.DIVERGED_AT, -1, view.version + 1);
      requestStop(control);
      break;
    }
    stats.submitted++;
    // The schedule at the samples before this batch, as in the simulator.
    const lr = lrAt(k * batchSize);
    const w = store.write(result.g, view.version, lr, scaler);
    if (!w.applied) {
      stats.dropped++;
      stats.casFailures += w.attempts;
      continue;
    }
    stats.applied++;
    stats.casFailures += w.attempts - 1;
    rows.push({
      step: w.step,
      staleness: w.tau,
      gap_rmse: w.gapRmse ?? NaN,
      lr: lr * w.scale,
      scale: w.scale,
      loss: result.loss,
      wall_time: (nowMs() - t0) / 1000,
      cas_attempts: w.attempts,
      torn: view.overlapped ? 1 : 0,
    });
  }
  if (oracle.invariantViolations !== undefined) stats.invariantViolations = oracle.invariantViolations;
}
