import { z } from 'zod';
import { BACKEND_CHOICES } from '../backend/backendNames.ts';
import { SPLIT_NAMES } from '../data/dataset.ts';
import { datasetSpecSchema } from '../data/datasetSpec.ts';
import { modelSpecSchema } from '../models/modelSpec.ts';
import { builtinObjectiveSchema } from '../oracle/builtinObjectives.ts';
import { oracleOptionsSchema } from '../oracle/oracleOptions.ts';
import { ruleSpecSchema } from '../rules/ruleSpec.ts';
import { lrScheduleSchema, usesBudgetFractions } from '../schedule/lrSchedule.ts';
import { PROFILES } from './profiles.ts';

export const TARGET_METRICS = ['train_loss', 'test_loss', 'test_accuracy'] as const;
export type TargetMetric = (typeof TARGET_METRICS)[number];

/**
 * The fields every engine's config shares, with one name and one meaning everywhere
 * (ALGORITHMS.md §1–3). An engine's schema adds its own fields; a field of another engine is an
 * error that names the engine it belongs to.
 *
 * The problem is one of: `objective` (a built-in objective), `model` + `dataset` (+ `backend`,
 * default 'auto'), or an oracle passed to runExperiment (then leave all of them out).
 */
export const commonFields = {
  /** Run id for the record; default: engine, rule, N and seed. */
  id: z.string().min(1).optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  /** The notebook profile a run belongs to, stamped on every table. */
  profile: z.enum(PROFILES).default('custom'),

  objective: builtinObjectiveSchema.optional(),
  model: modelSpecSchema.optional(),
  dataset: datasetSpecSchema.optional(),
  backend: z.enum(BACKEND_CHOICES).optional(),
  oracleOptions: oracleOptionsSchema.optional(),
  /** Evaluate on this many seeded rows of each split instead of all of them (the same rows for every run). */
  evalSubset: z.number().int().min(1).optional(),

  /** The update rule: a name, a name with parameters, or { base, transforms, sync } (see rules/ruleSpec.ts). */
  rule: ruleSpecSchema.prefault('asgd'),
  /** η, the schedule's base value (the recipe: the same for every rule and N). */
  lr: z.number().positive().finite(),
  lrSchedule: lrScheduleSchema.prefault('constant'),
  /** N: simulated workers, worker threads or worker processes. */
  workers: z.number().int().min(1).max(4096).default(1),
  /** B, the per-worker minibatch size. */
  batchSize: z.number().int().min(1).max(1_000_000).default(128),
  /** Budget in master updates (minibatch gradients handed out; SSGD rounds for a sync rule). */
  steps: z.number().int().min(1).max(1e9).optional(),
  /** Budget in epochs: samples processed / train size. */
  epochs: z.number().positive().max(1e6).optional(),

  /** Evaluate every this many updates (and at step 0 and the end); null: only at step 0 and the end. */
  evalEvery: z.number().int().min(1).nullable().default(null),
  evalSplits: z.array(z.enum(SPLIT_NAMES)).min(1).max(2).default(['test']),
  /** Stop when an evaluation reaches this (accuracy ≥ value, loss ≤ value); the time to it is in the summary. */
  target: z.object({ metric: z.enum(TARGET_METRICS), value: z.number().finite() }).strict().nullable().default(null),
  /** With a target: stop the run as soon as it is reached. */
  stopAtTarget: z.boolean().default(true),
  /** Keep every this-many-th update row (the first, last and diverging rows always); summaries use all updates. */
  logEvery: z.number().int().min(1).default(1),
  /**
   * Divergence bound on the minibatch loss (NaN/Inf in the loss or θ always diverge): 'auto'
   * = 1000 × max(1, |loss of the first update|), a number = that bound, 'off' = none.
   */
  divergeLoss: z.union([z.literal('auto'), z.literal('off'), z.number().finite()], { error: 'expected "auto", "off" or a finite number' }).default('auto'),
  /** Return θ after every update (small problems only: steps × D ≤ 5·10⁷). */
  returnTrajectory: z.boolean().default(false),
};

/**
 * Save a checkpoint every this many master updates (and when interrupted) into the run's
 * directory, to continue with `stalelab run --resume DIR` (src/run/checkpoint.ts). The engines that
 * can resume (sim, threads) add it to their schema; absent: no checkpoints.
 */
export const checkpointFields = {
  checkpointEvery: z.number().int().min(1).optional(),
};

type Issue = (path: (string | number)[], message: string) => void;

/** The engines that run on a wall clock (threads, ps) may also, or only, be budgeted in seconds. */
export const wallClockBudgetFields = {
  /** Wall-clock budget in seconds (with or without steps/epochs: whichever ends first). */
  seconds: z.number().positive().nullable().default(null),
};

/** Their budget: at most one of steps and epochs, and at least one of those or seconds. */
export function checkWallClockBudget(c: { steps?: number; epochs?: number; seconds: number | null }, issue: Issue): void {
  if (c.steps !== undefined && c.epochs !== undefined) issue(['steps'], 'give at most one of steps and epochs (and/or seconds)');
  if (c.steps === undefined && c.epochs === undefined && c.seconds === null) issue(['steps'], 'the run needs a budget: steps or epochs, and/or seconds');
}

/**
 * The failing test objective's worker id when the run has no such worker, else null: that
 * worker would never start, so the run would end healthy and the test it serves would pass
 * without failing anything (engines phrase the error in their own terms: thread, process).
 */
export function missingFailingWorker(c: Pick<CommonConfig, 'objective' | 'workers'>): number | null {
  return typeof c.objective === 'object' && c.objective.name === 'failing' && c.objective.worker >= c.workers ? c.objective.worker : null;
}

/** Checks across the common fields, for every engine's superRefine. */
export function checkCommonFields(c: CommonConfig, issue: Issue): void {
  const usesModel = c.model !== undefined || c.dataset !== undefined;
  if (c.objective !== undefined && usesModel) issue(['objective'], 'give either objective or model + dataset, not both');
  if (usesModel && (c.model === undefined || c.dataset === undefined)) issue([c.model === undefined ? 'model' : 'dataset'], 'model and dataset go together');
  for (const f of ['backend', 'oracleOptions', 'evalSubset'] as const) {
    if (!usesModel && c[f] !== undefined) issue([f], 'applies only to model + dataset runs');
  }
  if (usesBudgetFractions(c.lrSchedule) && c.steps === undefined && c.epochs === undefined) {
    issue(['lrSchedule'], 'places the warm-up or milestones by fractions of the budget: give steps or epochs');
  }
  if (c.evalSplits.length === 2 && c.evalSplits[0] === c.evalSplits[1]) issue(['evalSplits'], 'lists a split twice');
  if (typeof c.divergeLoss === 'number' && !(c.divergeLoss > 0)) issue(['divergeLoss'], `expected a positive bound, got ${c.divergeLoss}`);
  if (c.target) {
    const split = c.target.metric === 'train_loss' ? 'train' : 'test';
    if (!c.evalSplits.includes(split)) issue(['target', 'metric'], `"${c.target.metric}" is measured on the ${split} split: add "${split}" to evalSplits (e.g. evalSplits: ["train", "test"])`);
    if (c.target.metric === 'test_accuracy' && c.objective !== undefined) issue(['target', 'metric'], 'built-in objectives have no accuracy; use train_loss or test_loss');
    // The time to target is that of the first evaluation reaching it: with evaluations only at the
    // start and the end it would be the run's end, whatever the truth.
    if (c.evalEvery === null) issue(['evalEvery'], `a target needs evaluations during the run to be timed: set evalEvery (updates between evaluations, e.g. evalEvery: 100; --eval-every 100), the time to target is then within one interval of the truth`);
  }
}

const commonObject = z.object({ engine: z.string(), ...commonFields });
export type CommonConfig = z.output<typeof commonObject>;

/**
 * Fields of earlier versions, with where their meaning lives now: a config in the old flat form
 * is refused with this message rather than translated behind the user's back.
 */
export const LEGACY_FIELDS: Record<string, string> = {
  ruleParams:
    'removed in stalelab 0.2: lr goes at the top (lr: 0.05) and a rule\'s parameters go with it, e.g. rule: { name: "ga-momentum", momentum: 0.9, weightDecay: 1e-4 } or rule: { base: { name: "momentum", momentum: 0.9 }, transforms: [{ name: "gap-aware", beta: 0.999 }] } (gaBeta → beta, dcLambda → lambda, dcAdaptive → adaptive)',
  stepSize:
    'removed in stalelab 0.2: a staleness step size α(τ) is a transform of the rule, e.g. rule: { base: "sgd", transforms: [{ name: "staleness-step", kind: "tail-tau" }] } (the CLI\'s --step-size adds it)',
  threads: 'removed in stalelab 0.2: the number of worker threads is workers',
  updates: 'removed in stalelab 0.2: the budget is steps (or epochs, or seconds for the threads engine)',
};
