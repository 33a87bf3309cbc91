import { z } from 'zod';
import { checkCommonFields, checkpointFields, commonFields } from '../../run/configFields.ts';
import { GRADIENT_BATCHING } from './inFlightGradients.ts';
import { timingSchema } from './timingSpec.ts';
import { PRESET_NAMES } from '../../run/presets.ts';

/**
 * A simulated-cluster run (ALGORITHMS.md §1–2): the common fields plus how long workers' jobs take
 * and how gradients are evaluated. The budget is exactly one of `steps` (master updates; SSGD
 * rounds for a sync rule) or `epochs`.
 */
export const simConfigSchema = z
  .object({
    engine: z.literal('sim').default('sim'),
    ...commonFields,
    ...checkpointFields,
    /** A named protocol whose defaults the other fields were filled from (src/run/presets.ts). */
    preset: z.enum(PRESET_NAMES).optional(),
    timing: timingSchema.prefault({ kind: 'gamma' }),
    /**
     * Which parameters to evaluate: the master's θ (default), the look-ahead a send returns (DANA's
     * θ̂), or both (rows of each, `params` says which; the master gives the summary and the target).
     */
    evalAt: z.enum(['master', 'look-ahead', 'both']).default('master'),
    /**
     * Async rules: 'off' computes each gradient when it is applied; 'in-flight' computes the
     * gradients of in-flight jobs ahead, up to `gradientGroup` in one oracle pass (same results,
     * fewer device passes; see InFlightGradients). SSGD always evaluates its N gradients together.
     */
    gradientBatching: z.enum(GRADIENT_BATCHING).default('off'),
    /** Most gradients per pass with gradientBatching 'in-flight' (bounds memory: this × D floats). */
    gradientGroup: z.number().int().min(1).max(4096).default(32),
    /**
     * Threads computing the workers' gradients: this one (the master, which also applies updates in
     * simulated order) and K − 1 helper threads, each with its own backend (same tables as computing
     * each gradient when applied). 'auto' = the
     * machine's cores for a model problem whose gradients (timed on two minibatches) add up to more
     * than 20 s, else none (this thread): built-in objectives, oracles passed by the caller and short
     * runs do not pay for starting threads. The choice is recorded (compute_threads).
     */
    computeThreads: z.union([z.literal('auto'), z.number().int().min(1).max(256)], { error: 'expected "auto" or an integer from 1 to 256' }).default('auto'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    checkCommonFields(c, issue);
    if ((c.steps === undefined) === (c.epochs === undefined)) issue(['steps'], 'give exactly one budget: steps (master updates) or epochs');
    const sync = c.rule.sync;
    if (c.timing.kind === 'schedule') {
      if (sync) issue(['timing', 'kind'], 'an explicit schedule has no barrier rounds; a sync rule (SSGD) needs gamma or round-robin');
      c.timing.order.forEach((w, i) => {
        if (w >= c.workers) issue(['timing', 'order', i], `worker ${w} does not exist (workers: ${c.workers}, ids 0..${c.workers - 1})`);
      });
      if (!c.timing.repeat && c.steps !== undefined && c.steps > c.timing.order.length) {
        issue(['steps'], `the schedule lists ${c.timing.order.length} arrivals; set steps ≤ ${c.timing.order.length} or timing.repeat: true`);
      }
    }
    // More threads than jobs could ever be in flight only cost start-up (each loads the problem).
    if (typeof c.computeThreads === 'number' && c.computeThreads > c.workers) {
      issue(['computeThreads'], `at most one compute thread per worker: no more than ${c.workers} gradient(s) are ever in flight (workers: ${c.workers}), got ${c.computeThreads}`);
    }
    const threads = c.computeThreads === 'auto' ? 1 : c.computeThreads; // 'auto' gives objectives one
    if (typeof c.objective === 'object' && c.objective.name === 'failing' && c.objective.worker >= threads) {
      issue(['objective', 'worker'], `the failing objective's worker is a compute thread here (0: the run's own, 1…K−1 its helpers); computeThreads ${c.computeThreads} has ids 0..${threads - 1}, got ${c.objective.worker}`);
    }
    if (c.gradientBatching === 'in-flight' && typeof c.computeThreads === 'number' && c.computeThreads > 1) {
      issue(['gradientBatching'], "'in-flight' groups gradients in this thread (one device pass per group, for GPUs); with compute threads leave it 'off'");
    }
    if (c.timing.kind === 'gamma' && c.timing.means !== undefined && c.timing.means.length !== c.workers) {
      issue(['timing', 'means'], `expected one mean per worker (${c.workers}), got ${c.timing.means.length}`);
    }
  });

export type SimConfigInput = z.input<typeof simConfigSchema>;
export type SimConfig = z.output<typeof simConfigSchema>;
