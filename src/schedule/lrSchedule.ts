import { z } from 'zod';
import { namedUnion } from '../config/namedUnion.ts';
import { ConfigError, parseConfig } from '../config/validate.ts';

const epochs = z.number().min(0).finite();
const fraction = z.number().min(0).max(1);
const warmup = {
  /** Linear warmup over the first `warmupEpochs` epochs (0 = none). */
  warmupEpochs: epochs.default(0),
  /** Or over this fraction of the run's budget (the authors' 5/160); needs a steps or epochs budget. */
  warmupFraction: fraction.optional(),
  /** The warmup lasts at least this many master updates (when it is on at all). */
  warmupMinUpdates: z.number().int().min(0).default(0),
  /**
   * The warmup starts at `warmupStartFactor`·η and reaches η at its end; "inverse-workers" starts
   * at η/N (the authors' code: N-dependent, lr/32 with 32 workers).
   */
  warmupStartFactor: z.union([z.number().min(0).max(1), z.literal('inverse-workers')]).default(0.1),
};

function warmupExclusive(s: { warmupEpochs: number; warmupFraction?: number }, ctx: z.RefinementCtx): void {
  if (s.warmupFraction !== undefined && s.warmupEpochs > 0) {
    ctx.addIssue({ code: 'custom', path: ['warmupFraction'], message: 'give warmupEpochs or warmupFraction, not both' });
  }
}

/**
 * A learning-rate schedule over *samples processed* (ALGORITHMS.md §1): one master update of an
 * asynchronous rule is B samples, one SSGD round N·B, so every N follows the single-worker recipe
 * unchanged (no retuning). Positions are in epochs (samples / train size) or, for the authors'
 * protocol at any scale, in fractions of the budget.
 * - `constant`: η.
 * - `step`: η·factor^k after the k-th of the increasing `milestones` (epochs), e.g. [80, 120] with
 *   0.1, or of `milestoneFractions` of the budget, e.g. [0.5, 0.75].
 * Both take an optional linear warmup (`warmupEpochs` or `warmupFraction`, at least
 * `warmupMinUpdates` updates, from `warmupStartFactor`·η), multiplied in.
 */
export const LR_SCHEDULE_SCHEMAS = {
  constant: z.object({ kind: z.literal('constant'), ...warmup }).strict().superRefine(warmupExclusive),
  step: z
    .object({
      kind: z.literal('step'),
      milestones: z.array(z.number().positive().finite()).min(1).optional(),
      milestoneFractions: z.array(z.number().gt(0).lt(1)).min(1).optional(),
      factor: z.number().positive().max(1).default(0.1),
      ...warmup,
    })
    .strict()
    .superRefine((s, ctx) => {
      warmupExclusive(s, ctx);
      const given = [s.milestones, s.milestoneFractions].filter((m) => m !== undefined);
      if (given.length !== 1) {
        ctx.addIssue({ code: 'custom', path: ['milestones'], message: 'give milestones (epochs) or milestoneFractions (of the budget), exactly one of them' });
      }
      for (const [field, m] of [['milestones', s.milestones], ['milestoneFractions', s.milestoneFractions]] as const) {
        if (m && !m.every((v, i) => i === 0 || v > m[i - 1])) ctx.addIssue({ code: 'custom', path: [field], message: `${field} must be strictly increasing` });
      }
    }),
};

export const lrScheduleSchema = namedUnion('kind', LR_SCHEDULE_SCHEMAS, { bareName: true, what: 'a learning-rate schedule' });

export type LrScheduleInput = Exclude<z.input<typeof lrScheduleSchema>, string>;
export type LrScheduleSpec = z.output<typeof lrScheduleSchema>;

/** η as a function of the samples processed so far. */
export type LrSchedule = (samples: number) => number;

/** What a schedule needs to know of the run beyond the train size. */
export interface ScheduleRun {
  /** N, for warmupStartFactor "inverse-workers". */
  workers: number;
  /** Samples one master update processes (B, or N·B for an SSGD round), for warmupMinUpdates. */
  samplesPerUpdate: number;
  /** Samples of the whole budget; null for a time-only budget (then no fraction may be used). */
  budgetSamples: number | null;
}

/** Whether a schedule places anything by fractions of the budget. */
export function usesBudgetFractions(spec: LrScheduleSpec): boolean {
  return spec.warmupFraction !== undefined || (spec.kind === 'step' && spec.milestoneFractions !== undefined);
}

/**
 * The schedule of `spec` for base learning rate `lr` and `samplesPerEpoch` samples per epoch
 * (the oracle's train size). The lr of an update is the schedule at the samples processed before it.
 */
export function makeLrSchedule(specInput: LrScheduleInput | string, lr: number, samplesPerEpoch: number, run: ScheduleRun = { workers: 1, samplesPerUpdate: 1, budgetSamples: null }): LrSchedule {
  return lrScheduleOf(parseConfig(lrScheduleSchema, specInput, 'lrSchedule'), lr, samplesPerEpoch, run);
}

/** makeLrSchedule for a validated spec (engines validate the whole config once). */
export function lrScheduleOf(spec: LrScheduleSpec, lr: number, samplesPerEpoch: number, run: ScheduleRun): LrSchedule {
  if (!(lr > 0 && Number.isFinite(lr))) throw new RangeError(`lr: expected a finite number > 0, got ${lr}`);
  if (!(samplesPerEpoch > 0)) throw new RangeError(`samplesPerEpoch: expected > 0, got ${samplesPerEpoch}`);
  const budget = run.budgetSamples;
  if (usesBudgetFractions(spec) && budget === null) {
    throw new ConfigError(`lrSchedule: ${spec.warmupFraction !== undefined ? 'warmupFraction' : 'milestoneFractions'} is a fraction of the budget: give steps or epochs`);
  }
  const milestones = spec.kind !== 'step' ? [] : spec.milestones ? spec.milestones.map((e) => e * samplesPerEpoch) : spec.milestoneFractions!.map((f) => f * budget!);
  const factor = spec.kind === 'step' ? spec.factor : 1;
  let warmupSamples = spec.warmupFraction !== undefined ? spec.warmupFraction * budget! : spec.warmupEpochs * samplesPerEpoch;
  if (warmupSamples > 0) warmupSamples = Math.max(warmupSamples, spec.warmupMinUpdates * run.samplesPerUpdate);
  const f0 = spec.warmupStartFactor === 'inverse-workers' ? 1 / run.workers : spec.warmupStartFactor;
  return (samples) => {
    let eta = lr;
    for (const m of milestones) if (samples >= m) eta *= factor;
    if (samples < warmupSamples) eta *= f0 + (1 - f0) * (samples / warmupSamples);
    return eta;
  };
}
