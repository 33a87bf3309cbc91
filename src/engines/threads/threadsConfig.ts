import os from 'node:os';
import { z } from 'zod';
import { checkCommonFields, checkpointFields, commonFields, missingFailingWorker, wallClockBudgetFields, checkWallClockBudget } from '../../run/configFields.ts';
import { BUILTIN_BASE_NAMES, BUILTIN_TRANSFORM_NAMES } from '../../rules/registry.ts';
import type { RuleSpec } from '../../rules/ruleSpec.ts';
import { SYNC_MODES } from './syncModes.ts';

const isBuiltinPart = (name: string) => BUILTIN_BASE_NAMES.includes(name) || BUILTIN_TRANSFORM_NAMES.includes(name);

/** Leashed-SGD addresses 2T + 2 vector slots in one byte of its pointer word. */
export const MAX_THREADS = 127;

/**
 * Every rule runs under threads, except SSGD's barrier rounds (a simulator notion), and each of its
 * parts must load in the worker threads: built in, or a user definition given by module path.
 */
function threadsRuleProblem(rule: RuleSpec): string | null {
  if (rule.sync) return 'sync (SSGD) barrier rounds run in the simulator (engine "sim"); the threads engine runs asynchronous rules';
  const local = [rule.base, ...rule.transforms].filter((p) => !p.module && !isBuiltinPart(p.name));
  if (local.length) {
    return `${local.map((p) => `"${p.name}"`).join(', ')} ${local.length > 1 ? 'were' : 'was'} registered in this process only; the worker threads load user definitions from a module path: give { module, export } in the rule instead`;
  }
  return null;
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
    ...checkpointFields,
    sync: z.enum(SYNC_MODES).default('lock'),
    /** Leashed-SGD's persistence bound B: drop a gradient after B + 1 failed publishes; null = unbounded. */
    persistence: z.number().int().min(0).nullable().default(null),
    ...wallClockBudgetFields,
  })
  .strict()
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    checkCommonFields(c, issue);
    if (c.objective === undefined && c.model === undefined && c.dataset === undefined) {
      issue(['model'], 'required (or give a built-in objective instead of model + dataset): every worker thread builds the problem itself');
    }
    if (c.workers > MAX_THREADS) issue(['workers'], `the threads engine runs at most ${MAX_THREADS} worker threads, got ${c.workers}`);
    checkWallClockBudget(c, issue);
    if (c.persistence !== null && c.sync !== 'leashed') issue(['persistence'], `applies only to sync "leashed" (got sync "${c.sync}"); leave it null`);
    const rule = threadsRuleProblem(c.rule);
    if (rule) issue(['rule'], rule);
    const failing = missingFailingWorker(c);
    if (failing !== null) issue(['objective', 'worker'], `thread ${failing} does not exist: the run has workers = ${c.workers} threads (0…${c.workers - 1})`);
  });

export type ThreadsConfig = z.output<typeof threadsConfigSchema>;
export type ThreadsConfigInput = z.input<typeof threadsConfigSchema>;

/** Bytes one worker thread takes besides its problem's data: its own V8 isolate, TensorFlow.js and the engine (measured 64-73 MB from the sources, 2026-12-01). */
export const THREAD_BASE_BYTES = 72 * 2 ** 20;

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GB`;

/**
 * Why `workers` threads cannot run in `availableBytes` of memory, or null: every thread builds
 * its own copy of the problem (`problemBytes`: the data arrays the main thread holds for it) on
 * top of THREAD_BASE_BYTES. More threads than cores is allowed (oversubscription is how a small
 * machine spreads staleness); more than the memory holds would thrash or be killed mid-start.
 */
export function threadMemoryProblem(workers: number, problemBytes: number, availableBytes: number): string | null {
  const each = THREAD_BASE_BYTES + Math.max(0, problemBytes);
  if (workers * each <= availableBytes) return null;
  const most = Math.floor(availableBytes / each);
  return `config.workers: ${workers} worker threads need about ${gb(workers * each)} (each runs its own V8 and TensorFlow.js and builds its own copy of the problem: about ${gb(each)}), more than the ${gb(availableBytes)} of memory available; ${most >= 1 ? `use at most ${most} threads here` : 'this problem does not fit in one thread here'}, or a smaller dataset`;
}

/** Memory a run may still use: what the OS reports available, within the process's cgroup limit if it has one. */
export function availableMemoryBytes(): number {
  const limit = process.constrainedMemory?.() ?? 0;
  const free = os.freemem();
  return limit > 0 ? Math.min(free, Math.max(0, limit - process.memoryUsage().rss)) : free;
}
