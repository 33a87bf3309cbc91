import { z } from 'zod';
import { checkCommonFields, commonFields } from '../../run/configFields.ts';
import { SYNC_MODES } from './syncModes.ts';

/** Leashed-SGD addresses 2T + 2 vector slots in one byte of its pointer word. */
export const MAX_THREADS = 127;

/**
 * The rules this engine applies today: plain SGD, optionally with a staleness step size α(τ)
 * (ALGORITHMS.md §3–4). The other bases and transforms run in the simulator.
 */
function threadsRuleProblem(rule: { base: { name: string }; transforms: { name: string }[]; sync: boolean }): string | null {
  const unsupported = [rule.base.name !== 'sgd' ? `base "${rule.base.name}"` : '', ...rule.transforms.filter((t) => t.name !== 'staleness-step').map((t) => `transform "${t.name}"`)].filter(Boolean);
  if (rule.sync) unsupported.push('sync rounds');
  return unsupported.length ? `the threads engine applies base "sgd" with an optional "staleness-step" transform; this rule has ${unsupported.join(', ')} (run it with engine "sim")` : null;
}

/**
 * A real-threads AsyncSGD run (ALGORITHMS.md §4): `workers` worker threads share θ under `sync`.
 * Model problems are built inside every worker, which runs its own TensorFlow.js. The budget is
 * `steps` (minibatch gradients handed out, over all threads) or `epochs`, and/or `seconds` of
 * wall time, whichever ends first.
 */
export const threadsConfigSchema = z
  .object({
    engine: z.literal('threads'),
    ...commonFields,
    sync: z.enum(SYNC_MODES).default('lock'),
    /** Leashed-SGD's persistence bound B: drop a gradient after B + 1 failed publishes; null = unbounded. */
    persistence: z.number().int().min(0).nullable().default(null),
    /** Wall-clock budget in seconds (with or without steps/epochs: whichever ends first). */
    seconds: z.number().positive().nullable().default(null),
  })
  .strict()
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    checkCommonFields(c, issue);
    if (c.objective === undefined && c.model === undefined && c.dataset === undefined) {
      issue(['model'], 'required (or give a built-in objective instead of model + dataset): every worker thread builds the problem itself');
    }
    if (c.workers > MAX_THREADS) issue(['workers'], `the threads engine runs at most ${MAX_THREADS} worker threads, got ${c.workers}`);
    if (c.steps !== undefined && c.epochs !== undefined) issue(['steps'], 'give at most one of steps and epochs (and/or seconds)');
    if (c.steps === undefined && c.epochs === undefined && c.seconds === null) issue(['steps'], 'the run needs a budget: steps or epochs, and/or seconds');
    if (c.persistence !== null && c.sync !== 'leashed') issue(['persistence'], `applies only to sync "leashed" (got sync "${c.sync}"); leave it null`);
    const rule = threadsRuleProblem(c.rule);
    if (rule) issue(['rule'], rule);
  });

export type ThreadsConfig = z.output<typeof threadsConfigSchema>;
export type ThreadsConfigInput = z.input<typeof threadsConfigSchema>;
