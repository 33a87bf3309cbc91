import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../config/validate.ts';
import { parseDatasetSpec } from '../data/datasetSpec.ts';
import { ProgressClock, type RunControl } from '../results/runControl.ts';
import type { RunResult, RunStatus } from '../results/runResult.ts';
import { stalenessScalerStateBytes } from '../stepsize/makeStalenessScaler.ts';
import { threadsConfigSchema, type ThreadsConfig, type ThreadsConfigInput } from './threadsConfig.ts';
import { allocateControl, attachControl, Cell, nowMs, requestStop } from './sharedControl.ts';
import { allocateParameters, attachStore } from './parameterMemory.ts';
import { loadThreadObjective } from './loadThreadObjective.ts';
import type { ThreadObjective } from './threadObjective.ts';
import { WorkerGang } from './workerGang.ts';
import { SlotState, slotCensus } from './leashedStore.ts';
import { buildUpdates } from './updateRows.ts';
import { Evaluations } from './threadEvaluations.ts';
import { constantGradientInvariant, summariseStaleness } from './threadsSummary.ts';
import type { WorkerInit } from './workerMessages.ts';

/** Milliseconds a worker gets to finish its update in flight after a stop before it is terminated. */
const JOIN_GRACE_MS = 15_000;
const POLL_MS = 5;

/**
 * Train with T real worker threads sharing θ (ALGORITHMS.md §4): lock-based, Hogwild! or
 * Leashed-SGD, with a staleness-adaptive step size. The main thread starts the workers, releases
 * them together, evaluates snapshots of θ every `evalEvery` updates, and stops everyone when the
 * budget or target is reached, on `control.signal` (status "interrupted", finished rows kept) or
 * on the first error in any worker (the promise rejects with that worker's message, after all
 * workers have exited).
 */
export async function runThreads(input: ThreadsConfigInput, control?: RunControl): Promise<RunResult> {
  const config = parseConfig(threadsConfigSchema, input, 'config');
  if (config.dataset !== undefined) config.dataset = parseDatasetSpec(config.dataset, 'config.dataset');
  if (config.model !== undefined) {
    const { parseModelSpec } = await import('../models/zoo.ts');
    config.model = parseModelSpec(config.model, 'config.model');
  }
  const startedAt = new Date().toISOString();
  const { objective, backend } = await loadThreadObjective(config, -1);
  try {
    return await train(config, objective, backend, startedAt, control);
  } finally {
    objective.dispose();
  }
}

async function train(
  config: ThreadsConfig,
  evaluator: ThreadObjective,
  backend: { name: string; reason?: string; versions: Record<string, string> },
  startedAt: string,
  control: RunControl | undefined,
): Promise<RunResult> {
  const T = config.threads;
  const shared = attachControl(allocateControl());
  const theta0 = evaluator.init(config.seed);
  const memory = allocateParameters(config.sync, theta0, T, shared);
  const scalerState = new SharedArrayBuffer(stalenessScalerStateBytes(config.stepSize));
  const mainStore = attachStore(memory, shared, config.persistence, T);
  const inits: WorkerInit[] = Array.from({ length: T }, (_, thread) => ({ config, thread, control: shared.buffer, memory, scalerState }));
  const clock = new ProgressClock(control, config.updates ?? NaN, config.id);
  const aborted = (): boolean => clock.aborted();

  const gang = new WorkerGang(inits, shared);
  const evals = new Evaluations(config, evaluator, mainStore);
  let startMs = nowMs();
  let targetHit: { sec: number; step: number } | null = null;
  try {
    if (await gang.waitReady(aborted)) {
      targetHit = await evals.run(0, targetHit);
      startMs = nowMs();
      shared.startMs[0] = startMs;
      Atomics.store(shared.cells, Cell.GO, 1);
      Atomics.notify(shared.cells, Cell.GO);
      const deadline = config.seconds === null ? Infinity : startMs + config.seconds * 1000;
      let nextEval = config.evalEvery ?? Infinity;
      while (gang.exited < T) {
        await sleep(POLL_MS);
        if (aborted() || nowMs() >= deadline) requestStop(shared);
        const version = Atomics.load(shared.cells, Cell.VERSION);
        if (version >= nextEval && Atomics.load(shared.cells, Cell.STOP) === 0) {
          targetHit = await evals.run((nowMs() - startMs) / 1000, targetHit);
          if (targetHit && config.stopAtTarget) requestStop(shared);
          nextEval = (Math.floor(version / config.evalEvery!) + 1) * config.evalEvery!;
        }
        clock.tick(version, Number.isNaN(gang.lastLoss) ? evals.lastLoss : gang.lastLoss);
      }
    }
  } finally {
    await gang.join(JOIN_GRACE_MS);
  }
  if (gang.failure) {
    const f = gang.failure;
    const err = new Error(`thread ${f.thread}: ${f.message}`);
    if (f.stack) err.stack = `${err.message}\n(worker stack) ${f.stack}`;
    throw err;
  }
  const wallTimeSec = (nowMs() - startMs) / 1000;
  targetHit = await evals.run(wallTimeSec, targetHit);
  clock.tick(Atomics.load(shared.cells, Cell.VERSION), evals.lastLoss, true);

  const updates = buildUpdates(gang.rowBatches);
  const theta = new Float32Array(memory.dim);
  mainStore.snapshot(theta);
  const divergedAt = Atomics.load(shared.cells, Cell.DIVERGED_AT);
  const status: RunStatus =
    divergedAt >= 0 ? 'diverged' : aborted() ? 'interrupted' : config.target && !targetHit ? 'not_converged' : 'finished';
  const total = (k: 'submitted' | 'applied' | 'dropped' | 'overlapped' | 'casFailures'): number =>
    gang.stats.reduce((a, s) => a + (s ? s[k] : 0), 0);
  const violations = gang.stats.every((s) => s?.invariantViolations === null)
    ? null
    : gang.stats.reduce((a, s) => a + (s?.invariantViolations ?? 0), 0);
  const invariant = constantGradientInvariant(config.objective, theta, updates);
  const census = config.sync === 'leashed' ? slotCensus(memory) : null;
  const cores = os.availableParallelism();
  return {
    updates,
    evals: evals.log.toTable(),
    theta,
    record: {
      id: config.id ?? `threads-${config.sync}-T${T}-seed${config.seed}`,
      config: config as unknown as Record<string, unknown>,
      engine: 'threads',
      backend: backend.name,
      backendReason: backend.reason,
      versions: backend.versions,
      seed: config.seed,
      startedAt,
      wallTimeSec,
      status,
      ...(divergedAt >= 0 ? { divergedAtStep: divergedAt } : {}),
      ...(status === 'interrupted' ? { message: 'stopped by control.signal' } : {}),
      machine: { cores, platform: `${os.platform()}-${os.arch()}`, node: process.versions.node },
      // applied + dropped = submitted; torn_reads = reads that overlapped a write (seqlock);
      // invariant_* and lost_element_updates only for the constant-gradient objective.
      summary: {
        objective: evaluator.description,
        sync: config.sync,
        threads: T,
        cores,
        applied: Atomics.load(shared.cells, Cell.VERSION),
        submitted: total('submitted'),
        dropped: total('dropped'),
        cas_failures: total('casFailures'),
        torn_reads: total('overlapped'),
        invariant_violations: violations,
        lost_element_updates: invariant?.lost_element_updates ?? null,
        invariant_max_abs_error: invariant?.invariant_max_abs_error ?? null,
        ...summariseStaleness(updates),
        updates_per_sec: updates.numRows() / wallTimeSec,
        target_reached_sec: targetHit?.sec ?? null,
        target_reached_updates: targetHit?.step ?? null,
        final_train_loss: evals.final.train?.loss ?? null,
        final_test_loss: evals.final.test?.loss ?? null,
        final_test_accuracy: evals.final.test?.accuracy ?? null,
        workers_terminated: gang.terminated,
        // After a clean join exactly one slot (the published θ) is in use and no reader holds a pin.
        leashed_slots_in_use: census ? census.states.filter((st) => st !== SlotState.FREE).length : null,
        leashed_pinned_readers: census ? census.readers.reduce((a, r) => a + r, 0) : null,
      },
    },
  };
}

