import type { StalenessScaler } from '../stepsize/stalenessScaler.ts';
import { Cell, nowMs, requestStop, stopRequested, type SharedControl } from './sharedControl.ts';
import type { ParameterStore } from './parameterStore.ts';
import type { ThreadObjective } from './threadObjective.ts';
import type { UpdateRowBuffer } from './updateRows.ts';
import type { ThreadStats } from './workerMessages.ts';

function allFinite(g: Float32Array): boolean {
  for (let j = 0; j < g.length; j++) if (!Number.isFinite(g[j])) return false;
  return true;
}

/**
 * One thread's AsyncSGD loop: take the next minibatch index, read θ and its version v0, compute
 * the gradient, write (τ = versions applied in between), log the row. Stops when the shared
 * budget of minibatches is spent or another thread or the main thread asks every thread to stop.
 */
export async function runThreadLoop(args: {
  objective: ThreadObjective;
  store: ParameterStore;
  scaler: StalenessScaler;
  control: SharedControl;
  lr: number;
  budget: number;
  rows: UpdateRowBuffer;
  stats: ThreadStats;
}): Promise<void> {
  const { objective, store, scaler, control, lr, budget, rows, stats } = args;
  const { cells } = control;
  const t0 = control.startMs[0];
  while (!stopRequested(control)) {
    const k = Atomics.add(cells, Cell.NEXT_BATCH, 1);
    if (k >= budget) break;
    const view = store.read();
    let result: { loss: number; g: Float32Array };
    try {
      result = await objective.gradient(view.theta, k);
    } finally {
      view.release();
    }
    if (view.overlapped) stats.overlapped++;
    if (!Number.isFinite(result.loss) || !allFinite(result.g)) {
      // A diverging run is a result: record where, stop everyone, apply nothing non-finite.
      Atomics.compareExchange(cells, Cell.DIVERGED_AT, -1, view.version);
      requestStop(control);
      break;
    }
    stats.submitted++;
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
  if (objective.invariantViolations !== undefined) stats.invariantViolations = objective.invariantViolations;
}
