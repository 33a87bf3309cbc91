import { z } from 'zod';
import { namedUnion } from '../config/namedUnion.ts';
import { parseConfig } from '../config/validate.ts';

const epochs = z.number().min(0).finite();
const warmup = {
  /** Linear warmup over the first `warmupEpochs` epochs (0 = none). */
  warmupEpochs: epochs.default(0),
  /** The warmup starts at `warmupStartFactor`·η and reaches η at `warmupEpochs`. */
  warmupStartFactor: z.number().min(0).max(1).default(0.1),
};

/**
 * A learning-rate schedule over *samples processed* (ALGORITHMS.md §1): one master update of an
 * asynchronous rule is B samples, one SSGD round N·B, so every N follows the single-worker recipe
 * unchanged (no retuning). Positions are given in epochs (samples / train size).
 * - `constant`: η.
 * - `step`: η·factor^k after the k-th of the increasing `milestones` (epochs), e.g. [80, 120] with 0.1.
 * Both take an optional linear warmup (`warmupEpochs`, `warmupStartFactor`), multiplied in.
 */
export const LR_SCHEDULE_SCHEMAS = {
  constant: z.object({ kind: z.literal('constant'), ...warmup }).strict(),
  step: z
    .object({
      kind: z.literal('step'),
      milestones: z.array(z.number().positive().finite()).min(1),
      factor: z.number().positive().max(1).default(0.1),
      ...warmup,
    })
    .strict()
    .refine((s) => s.milestones.every((m, i) => i === 0 || m > s.milestones[i - 1]), {
      message: 'milestones must be strictly increasing (epochs)',
      path: ['milestones'],
    }),
};

export const lrScheduleSchema = namedUnion('kind', LR_SCHEDULE_SCHEMAS, { bareName: true, what: 'a learning-rate schedule' });

export type LrScheduleInput = Exclude<z.input<typeof lrScheduleSchema>, string>;
export type LrScheduleSpec = z.output<typeof lrScheduleSchema>;

/** η as a function of the samples processed so far. */
export type LrSchedule = (samples: number) => number;

/**
 * The schedule of `spec` for base learning rate `lr` and `samplesPerEpoch` samples per epoch
 * (the oracle's train size). The lr of an update is the schedule at the samples processed before it.
 */
export function makeLrSchedule(specInput: LrScheduleInput | string, lr: number, samplesPerEpoch: number): LrSchedule {
  return lrScheduleOf(parseConfig(lrScheduleSchema, specInput, 'lrSchedule'), lr, samplesPerEpoch);
}

/** makeLrSchedule for a validated spec (engines validate the whole config once). */
export function lrScheduleOf(spec: LrScheduleSpec, lr: number, samplesPerEpoch: number): LrSchedule {
  if (!(lr > 0 && Number.isFinite(lr))) throw new RangeError(`lr: expected a finite number > 0, got ${lr}`);
  if (!(samplesPerEpoch > 0)) throw new RangeError(`samplesPerEpoch: expected > 0, got ${samplesPerEpoch}`);
  const milestones = spec.kind === 'step' ? spec.milestones.map((e) => e * samplesPerEpoch) : [];
  const factor = spec.kind === 'step' ? spec.factor : 1;
  const warmupSamples = spec.warmupEpochs * samplesPerEpoch;
  const f0 = spec.warmupStartFactor;
  return (samples) => {
    let eta = lr;
    for (const m of milestones) if (samples >= m) eta *= factor;
    if (samples < warmupSamples) eta *= f0 + (1 - f0) * (samples / warmupSamples);
    return eta;
  };
}
