import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../../config/validate.ts';
import type { Engine, EngineContext, RunOutcome } from '../../run/engine.ts';
import { EvalLog } from '../../run/evalLog.ts';
import type { RunStatus } from '../../run/runRecord.ts';
import { SlotState, slotCensus } from './leashedStore.ts';
import { allocateParameters, attachStore } from './parameterMemory.ts';
import { makeSharedBound } from './sharedBound.ts';
import { allocateControl, attachControl, Cell, NO_CHECKPOINT, nowMs, requestStop } from './sharedControl.ts';
import { addCounts, captureThreadsState, NO_COUNTS, restoreThreadsState, type ThreadsState } from './threadsCheckpoint.ts';
import { threadUpdates } from './threadRows.ts';
import { availableMemoryBytes, threadMemoryProblem, threadsConfigSchema, type ThreadsConfig } from './threadsConfig.ts';
import { constantGradientInvariant } from './threadsSummary.ts';
import { WorkerGang } from './workerGang.ts';
import type { ThreadStats, WorkerInit } from './workerMessages.ts';

/** Milliseconds a worker gets to finish its update in flight after a stop before it is terminated. */
const JOIN_GRACE_MS = 15_000;
const POLL_MS = 5;
const MAX_TRAJECTORY_FLOATS = 5e7;

/**
 * Train with T = `workers` real worker threads sharing the rule's state (ALGORITHMS.md §4):
 * lock-based, Hogwild! or Leashed-SGD around the rule's send and receive, any rule (its state in
 * shared memory, versioned whole under Leashed-SGD). The main thread starts the workers, releases them together, evaluates snapshots
 * of θ every `evalEvery` updates, and stops everyone when the budget or target is reached, on
 * `control.signal` (status "interrupted", finished rows kept), on divergence, or on the first
 * error in any worker (status "failed" with that worker's message, after all workers have exited).
 */
async function runThreads(config: ThreadsConfig, ctx: EngineContext): Promise<RunOutcome> {
  const evaluator = ctx.problem.oracle;
  if (evaluator.state.length > 0) throw new ConfigError('config.model: batch-norm models are not supported by the threads engine (no shared running statistics); use engine "sim" or a model without batch norm');
  const T = config.workers;
  // Each thread builds the problem again: the data arrays held here are what each will hold.
  const tooMany = threadMemoryProblem(T, process.memoryUsage().arrayBuffers, availableMemoryBytes());
  if (tooMany) throw new ConfigError(tooMany);
  const budget = ctx.totalSteps ?? Infinity;
  if (config.returnTrajectory && (!Number.isFinite(budget) || budget * evaluator.dim > MAX_TRAJECTORY_FLOATS)) {
    throw new ConfigError(`config.returnTrajectory: keeps steps × D floats (a steps budget is needed); allowed up to ${MAX_TRAJECTORY_FLOATS}`);
  }
  const shared = attachControl(allocateControl());
  const theta0 = evaluator.init(config.seed);
  const memory = allocateParameters(config.sync, config.rule, theta0, T, shared, config.returnTrajectory ? budget : 0);
  const bound = makeSharedBound(shared, config.divergeLoss);
  const { store: mainStore } = attachStore(memory, config.rule, theta0, T, shared, config.persistence, T);
  const inits: WorkerInit[] = Array.from({ length: T }, (_, thread) => ({ config, thread, control: shared.buffer, memory, budget }));
  const { clock } = ctx;
  const aborted = (): boolean => clock.aborted();
  const evals = new EvalLog(evaluator, { splits: config.evalSplits, every: config.evalEvery, profile: config.profile, clock: 'wall_time', target: config.target });
  const snapshot = new Float32Array(evaluator.dim);
  const evaluate = async (sec: number): Promise<boolean> => {
    const step = mainStore.snapshot(snapshot);
    return evals.run(snapshot, step, step * config.batchSize, sec);
  };

  const checkpoint = ctx.checkpoint ?? null;
  const resumed = (checkpoint?.resumed?.state as ThreadsState | undefined) ?? null;
  const countsBefore = resumed?.counts ?? NO_COUNTS;
  // Threads stop before taking the minibatch of the next multiple of checkpointEvery (none past the budget).
  const checkpointAfter = (step: number): number => {
    const every = checkpoint?.every ?? null;
    const at = every === null ? Infinity : (Math.floor(step / every) + 1) * every;
    return at < budget && at < NO_CHECKPOINT ? at : NO_CHECKPOINT;
  };
  const saveCheckpoint = (threadStats: readonly (ThreadStats | null)[]): void => {
    checkpoint?.save(Atomics.load(shared.cells, Cell.VERSION), captureThreadsState(memory, shared, { rows: gang.rowBatches, evals, elapsedSec: (nowMs() - startMs) / 1000, counts: addCounts(countsBefore, threadStats) }));
  };

  const gang = new WorkerGang(inits, shared);
  let startMs = nowMs();
  try {
    if (await gang.waitReady(aborted)) {
      // Every thread has bound its rule (which writes the initial state): the saved state goes over it now.
      if (resumed) {
        restoreThreadsState(memory, shared, resumed);
        gang.rowBatches.push(...resumed.rows);
        evals.restore(resumed.evals);
      }
      const hitAtStart = resumed ? evals.targetHit !== null : await evaluate(0);
      // A resumed run's clock goes on from the wall time its checkpoint had spent (also for a seconds budget).
      startMs = nowMs() - (resumed?.elapsedSec ?? 0) * 1000;
      shared.startMs[0] = startMs;
      Atomics.store(shared.cells, Cell.CHECKPOINT_AT, checkpointAfter(resumed?.step ?? 0));
      Atomics.store(shared.cells, Cell.GO, 1);
      Atomics.notify(shared.cells, Cell.GO);
      if (hitAtStart && config.stopAtTarget) requestStop(shared);
      const deadline = config.seconds === null ? Infinity : startMs + config.seconds * 1000;
      let nextEval = config.evalEvery === null ? Infinity : (Math.floor((resumed?.step ?? 0) / config.evalEvery) + 1) * config.evalEvery;
      while (gang.exited < T) {
        await sleep(POLL_MS);
        if (aborted() || nowMs() >= deadline) requestStop(shared);
        if (gang.paused === T && Atomics.load(shared.cells, Cell.STOP) === 0) {
          // Every thread waits before its next minibatch: nothing is in flight, the state is whole.
          saveCheckpoint(gang.pausedStats);
          gang.paused = 0;
          Atomics.store(shared.cells, Cell.CHECKPOINT_AT, checkpointAfter(Atomics.load(shared.cells, Cell.VERSION)));
          Atomics.add(shared.cells, Cell.RELEASE, 1);
          Atomics.notify(shared.cells, Cell.RELEASE);
        }
        const version = Atomics.load(shared.cells, Cell.VERSION);
        if (version >= nextEval && Atomics.load(shared.cells, Cell.STOP) === 0) {
          if ((await evaluate((nowMs() - startMs) / 1000)) && config.stopAtTarget) requestStop(shared);
          nextEval = (Math.floor(version / config.evalEvery!) + 1) * config.evalEvery!;
        }
        clock.tick(version, Number.isNaN(gang.lastLoss) ? evals.lastLoss : gang.lastLoss);
      }
    }
  } finally {
    await gang.join(JOIN_GRACE_MS);
  }
  const wallTimeSec = (nowMs() - startMs) / 1000;
  const divergedAt = Atomics.load(shared.cells, Cell.DIVERGED_AT);
  const failure = gang.failure ? `thread ${gang.failure.thread}: ${gang.failure.message}` : null;
  if (divergedAt < 0 && !failure) await evaluate(wallTimeSec);

  // Stopped by the caller: after the join nothing is in flight, so this point can be resumed from.
  if (checkpoint && aborted() && divergedAt < 0 && !failure) saveCheckpoint(gang.stats);
  const applied = Atomics.load(shared.cells, Cell.VERSION);
  const { log: updates, sumLr } = threadUpdates(gang.rowBatches, { every: config.logEvery, batchSize: config.batchSize, trainSize: evaluator.trainSize, profile: config.profile });
  const theta = new Float32Array(memory.dim);
  mainStore.snapshot(theta);
  const status: RunStatus = failure ? 'failed' : divergedAt >= 0 ? 'diverged' : aborted() ? 'interrupted' : config.target && !evals.targetHit ? 'not_converged' : 'finished';
  const counts = addCounts(countsBefore, gang.stats);
  const total = (k: 'submitted' | 'applied' | 'dropped' | 'overlapped' | 'casFailures'): number => counts[k];
  const violations = counts.invariantViolations;
  const invariant = constantGradientInvariant(config.objective, config.rule, theta, applied, sumLr);
  const census = config.sync === 'leashed' ? slotCensus(memory) : null;
  const trajectory = memory.trajectory
    ? Array.from({ length: applied }, (_, k) => new Float32Array(memory.trajectory!, k * memory.dim * 4, memory.dim).slice())
    : undefined;
  const limit = bound.limit();
  return {
    status,
    steps: applied,
    samples: applied * config.batchSize,
    ...(status === 'diverged' ? { divergedAtStep: divergedAt, message: 'a minibatch loss or gradient was not finite, or the loss exceeded the divergence bound' } : {}),
    ...(status === 'interrupted' ? { message: 'stopped by control.signal' } : {}),
    ...(failure ? { message: failure, ...(gang.failure!.stack ? { errorStack: gang.failure!.stack } : {}) } : {}),
    updates,
    evals,
    theta,
    ...(trajectory ? { trajectory } : {}),
    divergeBound: Number.isFinite(limit) ? limit : null,
    wallTimeSec,
    // applied + dropped = submitted; torn_reads = reads that overlapped a write (seqlock);
    // invariant_* and lost_element_updates only for the constant-gradient objective.
    extra: {
      sync: config.sync,
      cores: os.availableParallelism(),
      applied,
      submitted: total('submitted'),
      dropped: total('dropped'),
      cas_failures: total('casFailures'),
      torn_reads: total('overlapped'),
      invariant_violations: violations,
      lost_element_updates: invariant?.lost_element_updates ?? null,
      invariant_max_abs_error: invariant?.invariant_max_abs_error ?? null,
      workers_terminated: gang.terminated,
      // After a clean join exactly one slot (the published θ) is in use and no reader holds a pin.
      leashed_slots_in_use: census ? census.states.filter((st) => st !== SlotState.FREE).length : null,
      leashed_pinned_readers: census ? census.readers.reduce((a, r) => a + r, 0) : null,
      // With more than one thread a resumed run continues from the checkpoint's state, not along the uninterrupted run's path.
      resumed_from_step: resumed?.step ?? null,
    },
  };
}

export const threadsEngine: Engine<ThreadsConfig> = {
  name: 'threads',
  description: 'real worker_threads sharing θ in shared memory: lock, Hogwild! or Leashed-SGD; staleness is measured',
  configSchema: threadsConfigSchema,
  acceptsOracleObject: false,
  run: runThreads,
};
