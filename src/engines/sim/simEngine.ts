import os from 'node:os';
import { ConfigError } from '../../config/validate.ts';
import { makeRng, mixSeed } from '../../rng/rng.ts';
import { makeRule } from '../../rules/makeRule.ts';
import { DivergenceGuard } from '../../run/divergenceGuard.ts';
import type { Engine, EngineContext, RunOutcome } from '../../run/engine.ts';
import { EvalLog } from '../../run/evalLog.ts';
import { UpdateLog } from '../../run/updateLog.ts';
import type { Cell } from '../../results/columnLog.ts';
import { runSchedule } from '../../run/runSchedule.ts';
import { ComputePool } from './computePool.ts';
import type { GradientJobs } from './gradientJobs.ts';
import { InFlightGradients } from './inFlightGradients.ts';
import { makeTiming } from './makeTiming.ts';
import { restoreSimState, type SimState } from './simCheckpoint.ts';
import { simConfigSchema, type SimConfig } from './simConfig.ts';
import { evalScratch, evaluateNow, type LoopEnd, type SimContext } from './simContext.ts';
import { simulateAsync } from './simulateAsync.ts';
import { simulateSync } from './simulateSync.ts';

/** returnTrajectory keeps steps × D floats; beyond this it is a ConfigError, not an out-of-memory crash. */
const MAX_TRAJECTORY_FLOATS = 5e7;

/**
 * Simulate an asynchronous cluster (or SSGD barrier rounds) with one update rule: N virtual
 * workers with compute times from the timing model, an event queue and one master, deterministic
 * for a seed (ALGORITHMS.md §1–2).
 */
async function runSim(config: SimConfig, ctx: EngineContext): Promise<RunOutcome> {
  const { oracle } = ctx.problem;
  const theta0 = oracle.init(config.seed);
  const rule = makeRule(config.rule, theta0, config.workers);
  const totalSteps = ctx.totalSteps!;
  if (config.returnTrajectory && totalSteps * oracle.dim > MAX_TRAJECTORY_FLOATS) {
    throw new ConfigError(`config.returnTrajectory: keeps steps × D = ${totalSteps} × ${oracle.dim} floats; allowed up to ${MAX_TRAJECTORY_FLOATS} (small problems only)`);
  }
  const timing = makeTiming(config.timing, config.workers, makeRng(mixSeed(config.seed, 7002)));
  const batchSeed = mixSeed(config.seed, 7001);
  const resumed = (ctx.checkpoint?.resumed?.state as SimState | undefined) ?? null;
  const threads = await computeThreads(config, ctx, totalSteps, batchSeed);
  const jobs: GradientJobs = threads > 1
    ? await ComputePool.start(config, threads, oracle, batchSeed, totalSteps - (resumed?.step ?? 0))
    : new InFlightGradients(oracle, oracle.batches(config.batchSize, batchSeed), config.gradientBatching, config.gradientGroup, config.workers);
  const sim: SimContext = {
    config,
    oracle,
    rule,
    lrAt: runSchedule(config, oracle.trainSize),
    timing,
    updates: new UpdateLog(['sim_time'], config.logEvery, oracle.trainSize, config.profile),
    evals: new EvalLog(oracle, { splits: config.evalSplits, every: config.evalEvery, profile: config.profile, clock: 'sim_time', target: config.target, primary: config.evalAt === 'look-ahead' ? 'look-ahead' : 'master' }),
    guard: new DivergenceGuard(config.divergeLoss),
    clock: ctx.clock,
    totalSteps,
    trajectory: config.returnTrajectory ? [] : null,
    batchSeed,
    jobs,
    progress: { steps: 0, samples: 0, simTime: 0 },
    checkpoint: ctx.checkpoint ?? null,
    resumed,
    gradientsBefore: { passes: 0, computed: 0 },
  };
  let end: LoopEnd;
  try {
    if (resumed) restoreSimState(sim, resumed);
    end = rule.spec.sync ? await simulateSync(sim) : await simulateAsync(sim);
  } catch (e) {
    // Bad input stays an error; anything else (an oracle or a user transform throwing) is a failed run, rows kept.
    if (e instanceof ConfigError || !(e instanceof Error)) throw e;
    end = { status: 'failed', ...sim.progress, message: e.message, ...(e.stack ? { errorStack: e.stack } : {}) };
  } finally {
    await jobs.close();
  }
  sim.updates.flush();
  if (end.status === 'finished') {
    await evaluateNow(sim, end.steps, end.samples, end.simTime, evalScratch(sim));
  }
  const bound = sim.guard.limit;
  return {
    status: end.status === 'finished' && config.target && !sim.evals.targetHit ? 'not_converged' : end.status,
    steps: end.steps,
    samples: end.samples,
    ...(end.divergedAtStep !== undefined ? { divergedAtStep: end.divergedAtStep } : {}),
    ...(end.message ? { message: end.message } : {}),
    ...(end.errorStack ? { errorStack: end.errorStack } : {}),
    updates: sim.updates,
    evals: sim.evals,
    theta: rule.master().slice(),
    ...(sim.trajectory ? { trajectory: sim.trajectory } : {}),
    divergeBound: Number.isFinite(bound) ? bound : null,
    extra: {
      preset: config.preset ?? null,
      ...timing.describe(),
      sim_time: end.simTime,
      eval_at: config.evalAt,
      ...lookAheadFinals(config.evalAt, sim.evals.finalSecondary),
      gradient_batching: config.gradientBatching,
      compute_threads: threads,
      gradient_group_used: jobs instanceof InFlightGradients ? jobs.groupUsed : null,
      // After a resume: also those before the checkpoint (in-flight gradients computed ahead of it are computed again).
      gradient_passes: sim.gradientsBefore.passes + jobs.passes,
      gradients_computed: sim.gradientsBefore.computed + jobs.computed,
      resumed_from_step: resumed?.step ?? null,
    },
  };
}

/** The look-ahead's final test loss and accuracy beside the master's, when both were evaluated. */
function lookAheadFinals(evalAt: SimConfig['evalAt'], finals: EvalLog['finalSecondary']): Record<string, Cell> {
  if (evalAt !== 'both') return {};
  const test = finals.test;
  return { final_look_ahead_test_loss: test && Number.isFinite(test.loss) ? test.loss : null, final_look_ahead_test_accuracy: test?.accuracy ?? null };
}

/** Seconds of gradients a run must expect before 'auto' starts compute threads (each loads its own backend and data). */
const AUTO_THREADS_MIN_SEC = 20;

/**
 * The compute threads a run uses: as configured; for 'auto', the machine's cores when the problem
 * is a model built from the config (an oracle passed by the caller cannot cross threads) and its
 * gradients, timed on two minibatches here, add up to more than the threads' start-up is worth.
 */
async function computeThreads(config: SimConfig, ctx: EngineContext, totalSteps: number, batchSeed: number): Promise<number> {
  if (config.computeThreads !== 'auto') return config.computeThreads;
  const cores = Math.min(os.availableParallelism(), config.workers);
  if (cores < 2 || config.model === undefined || !ctx.problem.owned || config.gradientBatching !== 'off') return 1;
  const { oracle } = ctx.problem;
  const theta = oracle.init(config.seed);
  const batches = oracle.batches(config.batchSize, batchSeed);
  await oracle.gradient(theta, batches.at(0));
  const t0 = performance.now();
  await oracle.gradient(theta, batches.at(1));
  const gradientSec = (performance.now() - t0) / 1000;
  const gradients = totalSteps * (config.rule.sync ? config.workers : 1);
  return gradients * gradientSec > AUTO_THREADS_MIN_SEC ? cores : 1;
}

export const simEngine: Engine<SimConfig> = {
  name: 'sim',
  description: 'simulated cluster: N workers with gamma / round-robin / scheduled compute times, one master, deterministic for a seed',
  configSchema: simConfigSchema,
  acceptsOracleObject: true,
  run: runSim,
};
