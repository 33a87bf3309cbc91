import type { Batch, BatchSource } from '../../data/dataset.ts';
import type { GradientOracle } from '../../oracle/oracle.ts';
import { sumOf } from '../../rules/bases/thetaOps.ts';
import type { LrSchedule } from '../../schedule/lrSchedule.ts';
import type { ParameterStore } from './parameterStore.ts';
import { Cell, nowMs, requestStop, stopRequested, type SharedControl } from './sharedControl.ts';
import type { ThreadRowBuffer } from './threadRows.ts';
import type { ThreadStats } from './workerMessages.ts';

/**
 * One thread's AsyncSGD loop with the run's rule: take the next minibatch index k, read (the
 * rule's send, into this thread's x) at version v0, compute the gradient on batch k at x, write
 * (the rule's receive; τ = versions applied in between), log the row. Stops when the shared budget
 * of minibatches is spent, or another thread or the main thread asks every thread to stop. A
 * gradient that is not finite or whose loss exceeds the shared bound is not applied; an update
 * that leaves θ non-finite is. Either records where the run diverged and stops everyone.
 */
export async function runThreadLoop(args: {
  worker: number;
  oracle: GradientOracle;
  batches: BatchSource;
  batchSize: number;
  store: ParameterStore;
  control: SharedControl;
  lrAt: LrSchedule;
  bound: { exceeded(loss: number): boolean };
  budget: number;
  rows: ThreadRowBuffer;
  stats: ThreadStats;
  /** Called when this thread stops at a checkpoint (it must hand over its rows and stats first). */
  onPause?: () => void;
}): Promise<void> {
  const { worker, oracle, batches, batchSize, store, control, lrAt, bound, budget, rows, stats } = args;
  const { cells } = control;
  const t0 = control.startMs[0];
  const x = new Float32Array(oracle.dim);
  // This thread's minibatch and gradient buffers: each is used up before the next gradient.
  const gOut = new Float32Array(oracle.dim);
  let batch: Batch | undefined;
  const diverged = (at: number) => {
    Atomics.compareExchange(cells, Cell.DIVERGED_AT, -1, at);
    requestStop(control);
  };
  /**
   * Wait at a checkpoint: every thread stops before taking minibatch CHECKPOINT_AT, so once all
   * have paused no update is in flight and the main thread can save the state, then release them.
   */
  const pause = (): void => {
    const generation = Atomics.load(cells, Cell.RELEASE);
    args.onPause?.();
    while (Atomics.load(cells, Cell.RELEASE) === generation && !stopRequested(control)) Atomics.wait(cells, Cell.RELEASE, generation, 100);
  };
  /** The next minibatch index, or −1 when the budget is spent or a stop was asked for. */
  const take = (): number => {
    for (;;) {
      if (stopRequested(control)) return -1;
      const k = Atomics.load(cells, Cell.NEXT_BATCH);
      if (k >= budget) return -1;
      if (k >= Atomics.load(cells, Cell.CHECKPOINT_AT)) pause();
      else if (Atomics.compareExchange(cells, Cell.NEXT_BATCH, k, k + 1) === k) return k;
    }
  };
  for (;;) {
    const k = take();
    if (k < 0) break;
    batch = batches.at(k, batch);
    // The schedule at the samples before this batch, as in the simulator (its send and receive use it).
    const lr = lrAt(k * batchSize);
    const read = store.read(worker, lr, x);
    const result = await oracle.gradient(x, batch, gOut);
    if (read.overlapped) stats.overlapped++;
    if (!Number.isFinite(result.loss) || !Number.isFinite(sumOf(result.g)) || bound.exceeded(result.loss)) {
      diverged(read.version + 1);
      break;
    }
    stats.submitted++;
    const w = store.write(worker, x, result.g, read.version, lr);
    if (!w.applied) {
      stats.dropped++;
      stats.casFailures += w.attempts;
      continue;
    }
    stats.applied++;
    stats.casFailures += w.attempts - 1;
    const st = w.stats;
    rows.push({
      step: w.step,
      staleness: w.tau,
      gap_rmse: st.gapRmse,
      lr: lr * st.scale,
      scale: st.scale,
      penalty_mean: st.penaltyMean,
      penalty_max: st.penaltyMax,
      loss: result.loss,
      wall_time: (nowMs() - t0) / 1000,
      cas_attempts: w.attempts,
      torn: read.overlapped ? 1 : 0,
    });
    if (!Number.isFinite(st.checksum)) {
      diverged(w.step);
      break;
    }
  }
  if (oracle.invariantViolations !== undefined) stats.invariantViolations = oracle.invariantViolations;
}
