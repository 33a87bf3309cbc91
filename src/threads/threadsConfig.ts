import { z } from 'zod';
import { stepSizeSpecSchema } from '../stepsize/stepSizeSpec.ts';
import { builtinObjectiveSchema } from './builtinObjectives.ts';
import { datasetRefSchema, modelRefSchema } from './modelObjectiveSpec.ts';

export const targetMetrics = ['train_loss', 'test_loss', 'test_accuracy'] as const;

/**
 * A real-threads AsyncSGD run (ALGORITHMS.md §4). Either `objective` (a built-in objective by
 * name) or `model` + `dataset` (built inside every worker, which runs its own TensorFlow.js).
 * The budget is `updates` (minibatch gradients handed out, over all threads) and/or `seconds`
 * of wall time, whichever ends first.
 */
export const threadsConfigSchema = z
  .object({
    /** Run id for the record; default: derived from sync, T and seed. */
    id: z.string().min(1).optional(),
    sync: z.enum(['lock', 'hogwild', 'leashed']),
    /** T, the worker threads (oversubscribing the cores is allowed: it widens the staleness spread). */
    threads: z.number().int().min(1).max(127),
    /** Leashed-SGD's persistence bound B: drop a gradient after B + 1 failed publishes; null = unbounded. */
    persistence: z.number().int().min(0).nullable().default(null),
    stepSize: stepSizeSpecSchema.default({ kind: 'constant' }),
    lr: z.number().positive().finite(),
    /** Minibatch size for model runs (the ASAP.SGD protocol uses 16). */
    batchSize: z.number().int().min(1).default(16),
    updates: z.number().int().min(1).nullable().default(null),
    seconds: z.number().positive().nullable().default(null),
    objective: builtinObjectiveSchema.optional(),
    model: modelRefSchema.optional(),
    dataset: datasetRefSchema.optional(),
    /** TensorFlow.js backend of every thread (initBackend's BACKEND_CHOICES; a test keeps the two lists equal). */
    backend: z.enum(['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu']).default('wasm'),
    seed: z.number().int().default(0),
    /** Evaluate a snapshot of θ every this many applied updates (and at start and end); null = start and end only. */
    evalEvery: z.number().int().min(1).nullable().default(null),
    /** Evaluate on this many seeded rows of each split instead of the whole split (model runs); null = whole split. */
    evalSubset: z.number().int().min(1).nullable().default(null),
    target: z.object({ metric: z.enum(targetMetrics), value: z.number().finite() }).strict().nullable().default(null),
    /** Stop the run as soon as the target is reached. */
    stopAtTarget: z.boolean().default(true),
  })
  .strict()
  .superRefine((c, ctx) => {
    const usesModel = c.model !== undefined || c.dataset !== undefined;
    if (c.objective !== undefined && usesModel) {
      ctx.addIssue({ code: 'custom', path: ['objective'], message: 'give either objective or model + dataset, not both' });
    } else if (c.objective === undefined && (c.model === undefined || c.dataset === undefined)) {
      ctx.addIssue({ code: 'custom', path: [c.model === undefined ? 'model' : 'dataset'], message: 'required (or give a built-in objective instead of model + dataset)' });
    }
    if (c.updates === null && c.seconds === null) {
      ctx.addIssue({ code: 'custom', path: ['updates'], message: 'the run needs a budget: updates and/or seconds' });
    }
    if (c.persistence !== null && c.sync !== 'leashed') {
      ctx.addIssue({ code: 'custom', path: ['persistence'], message: `applies only to sync "leashed" (got sync "${c.sync}"); leave it null` });
    }
    if (c.target?.metric === 'test_accuracy' && c.objective !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['target', 'metric'], message: 'built-in objectives have no accuracy; use train_loss or test_loss' });
    }
  });

export type ThreadsConfig = z.output<typeof threadsConfigSchema>;
export type ThreadsConfigInput = z.input<typeof threadsConfigSchema>;
