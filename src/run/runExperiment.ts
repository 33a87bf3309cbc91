import { ConfigError } from '../config/validate.ts';
import type { GradientOracle } from '../oracle/oracle.ts';
import type { Cell } from '../results/columnLog.ts';
import type { RunOutcome } from './engine.ts';
import { budgetSteps } from './budget.ts';
import { makeCheckpointing, type Checkpoint } from './checkpoint.ts';
import { ENGINES } from './engines.ts';
import { parseRunConfig, type RunConfig } from './parseRunConfig.ts';
import { resolveProblem, type ResolvedProblem } from './problem.ts';
import { collapseOf } from './collapse.ts';
import { invocation, machineRecord, runVersions } from './provenance.ts';
import { ProgressClock, type RunControl } from './runControl.ts';
import type { RunResult } from './runRecord.ts';

export interface RunOptions {
  /** Train on this oracle (a user objective, a prebuilt model oracle); the config then names no problem. */
  oracle?: GradientOracle;
  /** Save checkpoints here (config.checkpointEvery, and on interrupt): see src/run/checkpoint.ts. */
  checkpointDir?: string;
  /** Continue from this checkpoint (readCheckpoint), whose config the run's must match (checkResumeConfig). */
  resume?: Checkpoint;
}

export { budgetSteps };

/**
 * Run one config on the engine it names (default: the simulated cluster) and return tidy tables:
 * `updates` (one row per applied update, UPDATE_COLUMNS plus the engine's own) and `evals` (one
 * row per evaluation and split), with a record whose summary has the same keys in every engine.
 * Reports progress through `control` and stops on `control.signal` (status "interrupted", the
 * rows so far kept). A diverging run ends with status "diverged", never an exception. Bad configs
 * throw ConfigError naming the field.
 */
export async function runExperiment(input: unknown, control?: RunControl, opts: RunOptions = {}): Promise<RunResult> {
  return runParsed(await parseRunConfig(input), { control, ...opts });
}

/** Run a validated config; `problem` reuses an already resolved problem (sweeps share one model oracle). */
export async function runParsed(config: RunConfig, opts: RunOptions & { control?: RunControl; problem?: ResolvedProblem } = {}): Promise<RunResult> {
  const engine = ENGINES[config.engine];
  if (opts.oracle && !engine.acceptsOracleObject) {
    throw new ConfigError(`an oracle object cannot be used by engine "${config.engine}" (its workers build the problem themselves): give objective, or model + dataset, in the config`);
  }
  const checkpoint = makeCheckpointing(config, { dir: opts.checkpointDir, resume: opts.resume });
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const problem = opts.problem ?? (await resolveProblem(config, { oracle: opts.oracle }));
  try {
    // Validates the batch size against the training set here, not inside a worker.
    problem.oracle.batches(config.batchSize, 0);
    const totalSteps = budgetSteps(config, problem.oracle.trainSize);
    const label = config.id ?? `${config.rule.name} N=${config.workers} seed=${config.seed}`;
    const clock = new ProgressClock(opts.control, totalSteps ?? NaN, label);
    const outcome = await (engine.run as (c: RunConfig, ctx: Parameters<typeof engine.run>[1]) => Promise<RunOutcome>)(config, { problem, control: opts.control, clock, totalSteps, checkpoint });
    clock.tick(outcome.steps, outcome.updates.lastLoss, true);
    return resultOf(config, problem, outcome, startedAt, (performance.now() - t0) / 1000);
  } finally {
    if (!opts.problem && problem.owned) problem.oracle.dispose();
  }
}

/** The keys every run's summary has, in this order, before the engine's own. */
export const RUN_SUMMARY_KEYS = [
  'rule', 'rule_base', 'rule_transforms', 'rule_params', 'objective', 'dim', 'workers', 'profile', 'updates', 'samples', 'epochs',
  'staleness_mean', 'staleness_p50', 'staleness_p90', 'staleness_max', 'gap_rmse_mean', 'penalty_mean', 'scale_mean',
  'final_test_loss', 'final_test_accuracy', 'final_train_loss', 'final_train_accuracy', 'best_test_accuracy', 'last_test_loss', 'last_test_accuracy',
  'target_reached_step', 'target_reached_time', 'collapsed', 'collapse_step', 'chance_accuracy', 'diverge_bound', 'updates_per_sec',
] as const;

function resultOf(config: RunConfig, problem: ResolvedProblem, o: RunOutcome, startedAt: string, callSec: number): RunResult {
  const wallTimeSec = o.wallTimeSec ?? callSec;
  const { oracle } = problem;
  const rule = config.rule;
  const completed = o.status === 'finished' || o.status === 'not_converged';
  const last = o.evals.final;
  const summary: Record<(typeof RUN_SUMMARY_KEYS)[number], Cell> = {
    rule: rule.name,
    rule_base: rule.base.name,
    rule_transforms: rule.transforms.map((t) => t.name).join('+'),
    rule_params: JSON.stringify({ base: rule.base.params, transforms: rule.transforms.map((t) => ({ name: t.name, ...t.params })) }),
    objective: oracle.description,
    dim: oracle.dim,
    workers: config.workers,
    profile: config.profile,
    updates: o.steps,
    samples: o.samples,
    epochs: o.samples / oracle.trainSize,
    ...o.updates.summary(),
    final_test_loss: completed ? (last.test?.loss ?? null) : null,
    final_test_accuracy: completed ? (last.test?.accuracy ?? null) : null,
    final_train_loss: completed ? (last.train?.loss ?? null) : null,
    final_train_accuracy: completed ? (last.train?.accuracy ?? null) : null,
    best_test_accuracy: o.evals.bestTestAccuracy,
    last_test_loss: last.test?.loss ?? null,
    last_test_accuracy: last.test?.accuracy ?? null,
    target_reached_step: o.evals.targetHit?.step ?? null,
    target_reached_time: o.evals.targetHit?.time ?? null,
    ...collapseOf(oracle.classes, o.evals.testAccuracy, o.updates.lossTrack),
    diverge_bound: o.divergeBound,
    updates_per_sec: o.steps / wallTimeSec,
  };
  for (const k of Object.keys(summary) as (keyof typeof summary)[]) {
    const v = summary[k];
    if (typeof v === 'number' && !Number.isFinite(v)) summary[k] = null;
  }
  return {
    updates: o.updates.log.toTable(),
    evals: o.evals.log.toTable(),
    theta: o.theta,
    ...(o.trajectory ? { trajectory: o.trajectory } : {}),
    record: {
      id: config.id ?? `${config.engine}-${rule.name}-N${config.workers}-seed${config.seed}`,
      config: config as unknown as Record<string, unknown>,
      engine: config.engine,
      backend: problem.backend.name,
      ...(problem.backend.reason ? { backendReason: problem.backend.reason } : {}),
      versions: { ...problem.backend.versions, ...runVersions() },
      seed: config.seed,
      startedAt,
      wallTimeSec,
      status: o.status,
      ...(o.divergedAtStep !== undefined ? { divergedAtStep: o.divergedAtStep } : {}),
      ...(o.message ? { message: o.message } : {}),
      ...(o.errorStack ? { errorStack: o.errorStack } : {}),
      machine: machineRecord(),
      ...(problem.partialData ? { partialData: problem.partialData } : {}),
      ...invocation(),
      summary: { ...summary, ...o.extra },
    },
  };
}
