import os from 'node:os';
import { ConfigError, configError, tryParseConfig } from '../config/validate.ts';
import type { GradientOracle } from '../oracle/oracle.ts';
import { makeRng, mixSeed } from '../rng/rng.ts';
import { ProgressClock, type RunControl } from '../results/runControl.ts';
import type { RunResult } from '../results/runResult.ts';
import { makeRule } from '../rules/makeRule.ts';
import { makeLrSchedule } from '../schedule/lrSchedule.ts';
import { makeStalenessScaler } from '../stepsize/makeStalenessScaler.ts';
import { DivergenceGuard } from './divergenceGuard.ts';
import { EvalLog } from './evalLog.ts';
import { makeTiming } from './makeTiming.ts';
import { nestedConfigProblems } from './nestedConfig.ts';
import { resolveOracle, validateProblem, type ResolvedOracle } from './resolveOracle.ts';
import { simConfigSchema, type SimConfig, type SimConfigInput } from './simConfig.ts';
import type { LoopEnd, SimContext } from './simContext.ts';
import { simulateAsync } from './simulateAsync.ts';
import { simulateSync } from './simulateSync.ts';
import { stalelabVersion } from './stalelabVersion.ts';
import { UpdateLog } from './updateLog.ts';

export interface RunOptions {
  /** Train on this oracle (a user objective, a prebuilt model oracle); the config then names no problem. */
  oracle?: GradientOracle;
}

/** returnTrajectory keeps steps × D floats; beyond this it is a ConfigError, not an out-of-memory crash. */
const MAX_TRAJECTORY_FLOATS = 5e7;

/** Validate a config completely (schema, then the model and dataset specs); ConfigError on any problem. */
export async function parseSimConfig(input: unknown, where = 'config'): Promise<SimConfig> {
  // Every problem at once: the nested objects' own (with their allowed fields), then the rest of
  // the top level's, leaving out what a nested object already reported.
  const nested = nestedConfigProblems(input, where);
  const top = tryParseConfig(simConfigSchema, input, where);
  if (nested.length > 0 || !top.ok) {
    const covered = (line: string) => nested.some((n) => line.startsWith(`${n.where}.`) || line.startsWith(`${n.where}:`));
    const problems = [...nested.flatMap((n) => n.problems), ...(top.ok ? [] : top.problems.filter((l) => !covered(l)))];
    throw configError(where, problems);
  }
  const config = top.data;
  await validateProblem(config);
  return config;
}

/**
 * Simulate an asynchronous cluster (or SSGD barrier rounds) with one update rule and return tidy
 * tables: `updates` (one row per applied update, see SIM_UPDATE_COLUMNS) and `evals` (one row per
 * evaluation and split). Reports progress through `control` and stops on `control.signal`
 * (status "interrupted", the rows so far kept). A run whose loss or θ becomes NaN/Inf or whose
 * loss exceeds the `divergeLoss` bound ends with status "diverged" and `divergedAtStep`; it never
 * throws for that. Bad configs throw ConfigError naming the field.
 */
export async function runExperiment(input: SimConfigInput, control?: RunControl, opts: RunOptions = {}): Promise<RunResult> {
  const config = await parseSimConfig(input);
  const resolved = await resolveOracle(config, opts.oracle);
  try {
    return await runWithOracle(config, userRuleParamKeys(input), resolved, control);
  } finally {
    if (resolved.owned) resolved.oracle.dispose();
  }
}

/** The ruleParams fields the user wrote (to report the ones the rule ignores). */
export function userRuleParamKeys(input: unknown): string[] {
  const rp = (input as { ruleParams?: unknown } | null)?.ruleParams;
  return rp && typeof rp === 'object' ? Object.keys(rp) : [];
}

/** Master updates of the budget: `steps`, or `epochs` of samples (N·B per SSGD round, B otherwise). */
export function budgetSteps(config: SimConfig, trainSize: number, sync: boolean): number {
  if (config.steps !== undefined) return config.steps;
  const perUpdate = config.batchSize * (sync ? config.workers : 1);
  return Math.max(1, Math.ceil((config.epochs! * trainSize) / perUpdate));
}

/** One run on an already resolved oracle (sweeps reuse one oracle across runs). */
export async function runWithOracle(
  config: SimConfig,
  userParamKeys: readonly string[],
  resolved: ResolvedOracle,
  control?: RunControl,
): Promise<RunResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const { oracle } = resolved;
  const theta0 = oracle.init(config.seed);
  const rule = makeRule(config.rule, config.ruleParams, theta0, config.workers);
  const sync = rule.composition.sync;
  const totalSteps = budgetSteps(config, oracle.trainSize, sync);
  if (config.returnTrajectory && totalSteps * oracle.dim > MAX_TRAJECTORY_FLOATS) {
    throw new ConfigError(`config.returnTrajectory: keeps steps × D = ${totalSteps} × ${oracle.dim} floats; allowed up to ${MAX_TRAJECTORY_FLOATS} (small problems only)`);
  }
  const label = config.id ?? `${rule.name} N=${config.workers} seed=${config.seed}`;
  const clock = new ProgressClock(control, totalSteps, label);
  const timing = makeTiming(config.timing, config.workers, makeRng(mixSeed(config.seed, 7002)));
  const ctx: SimContext = {
    config,
    oracle,
    rule,
    lrAt: makeLrSchedule(config.lrSchedule, config.ruleParams.lr, oracle.trainSize),
    timing,
    scaler: config.stepSize ? makeStalenessScaler(config.stepSize, config.workers) : null,
    updates: new UpdateLog(config.logEvery, oracle.trainSize, config.profile),
    evals: new EvalLog(oracle, config.evalSplits, config.evalEvery, config.profile),
    guard: new DivergenceGuard(config.divergeLoss),
    clock,
    totalSteps,
    trajectory: config.returnTrajectory ? [] : null,
    batchSeed: mixSeed(config.seed, 7001),
  };
  const end: LoopEnd = sync ? await simulateSync(ctx) : await simulateAsync(ctx);
  ctx.updates.flush();
  if (end.status === 'finished') {
    const theta = config.evalAt === 'master' ? rule.master() : lookAhead(ctx, end.samples);
    await ctx.evals.run(theta, end.steps, end.samples, end.simTime);
  }
  clock.tick(end.steps, ctx.updates.lastLoss, true);
  const wallTimeSec = (performance.now() - t0) / 1000;
  const u = ctx.updates;
  const finished = end.status === 'finished';
  const last = ctx.evals.final;
  const ignored = userParamKeys.filter((k) => k !== 'lr' && !rule.usedParams.includes(k as never));
  const bound = ctx.guard.limit;
  return {
    updates: u.log.toTable(),
    evals: ctx.evals.log.toTable(),
    theta: rule.master().slice(),
    ...(ctx.trajectory ? { trajectory: ctx.trajectory } : {}),
    record: {
      id: config.id ?? `sim-${rule.name}-N${config.workers}-seed${config.seed}`,
      config: config as unknown as Record<string, unknown>,
      engine: 'sim',
      backend: resolved.backend.name,
      backendReason: resolved.backend.reason,
      versions: { ...resolved.backend.versions, node: process.versions.node, stalelab: stalelabVersion() },
      seed: config.seed,
      startedAt,
      wallTimeSec,
      status: end.status,
      ...(end.divergedAtStep !== undefined ? { divergedAtStep: end.divergedAtStep } : {}),
      ...(end.message ? { message: end.message } : {}),
      machine: { cores: os.availableParallelism(), platform: `${os.platform()}-${os.arch()}`, node: process.versions.node },
      summary: {
        rule: rule.name,
        rule_base: rule.composition.base,
        rule_penalties: rule.composition.penalties.join('+'),
        rule_sync: String(rule.composition.sync),
        rule_params: JSON.stringify(Object.fromEntries(rule.usedParams.map((k) => [k, rule.params[k]]))),
        ignored_params: ignored.join(','),
        step_size: ctx.scaler ? JSON.stringify(ctx.scaler.describe()) : null,
        objective: oracle.description,
        dim: oracle.dim,
        workers: config.workers,
        profile: config.profile,
        ...timing.describe(),
        updates: end.steps,
        samples: end.samples,
        epochs: end.samples / oracle.trainSize,
        sim_time: end.simTime,
        mean_staleness: u.count ? u.stalenessSum / u.count : null,
        max_staleness: u.count ? u.stalenessMax : null,
        mean_gap_rmse: u.count ? u.gapSum / u.count : null,
        mean_penalty: u.count ? u.penaltySum / u.count : null,
        final_test_loss: finished ? (last.test?.loss ?? null) : null,
        final_test_accuracy: finished ? (last.test?.accuracy ?? null) : null,
        final_train_loss: finished ? (last.train?.loss ?? null) : null,
        final_train_accuracy: finished ? (last.train?.accuracy ?? null) : null,
        last_test_loss: last.test?.loss ?? null,
        last_test_accuracy: last.test?.accuracy ?? null,
        diverge_bound: Number.isFinite(bound) ? bound : null,
        updates_per_sec: end.steps / wallTimeSec,
        gradient_batching: config.gradientBatching,
        gradient_passes: ctx.gradientPasses?.passes ?? null,
        gradients_computed: ctx.gradientPasses?.computed ?? null,
      },
    },
  };
}

function lookAhead(ctx: SimContext, samples: number): Float32Array {
  const out = new Float32Array(ctx.rule.dim);
  ctx.rule.send(0, ctx.lrAt(samples), out);
  return out;
}
