import { z } from 'zod';
import { lrScheduleSchema } from '../schedule/lrSchedule.ts';
import { ruleParamsSchema } from '../rules/ruleParams.ts';
import { resolveRule, ruleSpecSchema } from '../rules/ruleSpec.ts';
import { stepSizeSpecSchema } from '../stepsize/stepSizeSpec.ts';
import { GRADIENT_BATCHING } from './inFlightGradients.ts';
import { builtinObjectiveSchema } from './objectiveSpec.ts';
import { timingSchema } from './timingSpec.ts';

/**
 * initBackend's choices, listed here so that validating a config does not load TensorFlow.js
 * (test/simConfig checks the two lists agree).
 */
export const SIM_BACKENDS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export const PROFILES = ['quick', 'full', 'smoke', 'custom'] as const;
export const EVAL_SPLITS = ['test', 'train'] as const;

/**
 * A simulated-cluster run (ALGORITHMS.md §1–2). The problem is one of: `objective` (a named
 * objective), `model` + `dataset` (+ `backend`, default 'auto'), or an oracle passed to
 * runExperiment (then leave all of them out). The budget is exactly one of `steps` (master updates;
 * SSGD rounds for a sync rule) or `epochs` (samples processed / train size).
 */
export const simConfigSchema = z
  .object({
    /** Run id for the record; default: rule, N and seed. */
    id: z.string().min(1).optional(),
    rule: ruleSpecSchema,
    ruleParams: ruleParamsSchema,
    /** N, the simulated workers. */
    workers: z.number().int().min(1).max(4096),
    timing: timingSchema.default({ kind: 'gamma', shape: 4, heterogeneity: 'homogeneous' }),
    /** B, the per-worker minibatch size. */
    batchSize: z.number().int().min(1).max(1_000_000).default(128),
    steps: z.number().int().min(1).max(1e9).optional(),
    epochs: z.number().positive().max(1e6).optional(),
    lrSchedule: lrScheduleSchema.default({ kind: 'constant', warmupEpochs: 0, warmupStartFactor: 0.1 }),
    /** Staleness-adaptive step size α(τ) = η·s(τ) on the fresh gradient (ALGORITHMS.md §3); none by default. */
    stepSize: stepSizeSpecSchema.optional(),
    /** Evaluate every this many updates (and at step 0 and the end); null: only at step 0 and the end. */
    evalEvery: z.number().int().min(1).nullable().default(null),
    evalSplits: z.array(z.enum(EVAL_SPLITS)).min(1).max(2).default(['test']),
    /** Which parameters to evaluate: the master's θ (default) or the look-ahead a send returns (DANA's θ̂). */
    evalAt: z.enum(['master', 'look-ahead']).default('master'),
    /** Keep every this-many-th update row (the first, last and diverging rows always); summaries use all updates. */
    logEvery: z.number().int().min(1).default(1),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
    /**
     * Divergence bound on the minibatch loss (NaN/Inf in the loss or θ always diverge): 'auto'
     * = 1000 × max(1, |loss of the first update|), a number = that bound, 'off' = none.
     */
    divergeLoss: z.union([z.literal('auto'), z.literal('off'), z.number().finite()], {
      error: 'expected "auto", "off" or a finite number',
    }).default('auto'),
    /** Return θ after every update (small problems only: steps × D ≤ 5·10⁷). */
    returnTrajectory: z.boolean().default(false),
    objective: builtinObjectiveSchema.optional(),
    /** A model-zoo spec (validated by the zoo's own schema when the run starts). */
    model: z.unknown().optional(),
    /** A dataset spec as loadDataset takes it (validated by it). */
    dataset: z.unknown().optional(),
    backend: z.enum(SIM_BACKENDS).optional(),
    /** Options of createModelOracle (evalSubset, evalBatchSize, bnMomentum), validated by it. */
    oracleOptions: z.record(z.string(), z.unknown()).optional(),
    /**
     * Async rules: 'off' computes each gradient when it is applied; 'in-flight' computes the
     * gradients of in-flight jobs ahead, up to `gradientGroup` in one oracle pass (same results,
     * fewer device passes; see InFlightGradients). SSGD always evaluates its N gradients together.
     */
    gradientBatching: z.enum(GRADIENT_BATCHING).default('off'),
    /** Most gradients per pass with gradientBatching 'in-flight' (bounds memory: this × D floats). */
    gradientGroup: z.number().int().min(1).max(4096).default(32),
    /** Free label recorded in every table. */
    profile: z.enum(PROFILES).default('custom'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if ((c.steps === undefined) === (c.epochs === undefined)) issue(['steps'], 'give exactly one budget: steps (master updates) or epochs');
    const usesModel = c.model !== undefined || c.dataset !== undefined;
    if (c.objective !== undefined && usesModel) issue(['objective'], 'give either objective or model + dataset, not both');
    if (usesModel && (c.model === undefined || c.dataset === undefined)) issue([c.model === undefined ? 'model' : 'dataset'], 'model and dataset go together');
    if (!usesModel && c.backend !== undefined) issue(['backend'], 'applies only to model + dataset runs');
    if (!usesModel && c.oracleOptions !== undefined) issue(['oracleOptions'], 'applies only to model + dataset runs');
    const sync = resolveRule(c.rule).sync;
    if (c.timing.kind === 'schedule') {
      if (sync) issue(['timing', 'kind'], 'an explicit schedule has no barrier rounds; a sync rule (SSGD) needs gamma or round-robin');
      c.timing.order.forEach((w, i) => {
        if (w >= c.workers) issue(['timing', 'order', i], `worker ${w} does not exist (workers: ${c.workers}, ids 0..${c.workers - 1})`);
      });
      if (!c.timing.repeat && c.steps !== undefined && c.steps > c.timing.order.length) {
        issue(['steps'], `the schedule lists ${c.timing.order.length} arrivals; set steps ≤ ${c.timing.order.length} or timing.repeat: true`);
      }
    }
    if (c.timing.kind === 'gamma' && c.timing.means !== undefined && c.timing.means.length !== c.workers) {
      issue(['timing', 'means'], `expected one mean per worker (${c.workers}), got ${c.timing.means.length}`);
    }
    if (sync && c.stepSize !== undefined) issue(['stepSize'], 'a sync rule (SSGD) has no staleness; leave stepSize out');
    if (c.evalSplits.length === 2 && c.evalSplits[0] === c.evalSplits[1]) issue(['evalSplits'], 'lists a split twice');
    if (typeof c.divergeLoss === 'number' && !(c.divergeLoss > 0)) issue(['divergeLoss'], `expected a positive bound, got ${c.divergeLoss}`);
  });

export type SimConfigInput = z.input<typeof simConfigSchema>;
export type SimConfig = z.output<typeof simConfigSchema>;
