import { z } from 'zod';
import { checkCommonFields, commonFields, missingFailingWorker, wallClockBudgetFields, checkWallClockBudget } from '../../run/configFields.ts';
import { delaySchema, stragglerSchema } from './delayInjection.ts';

/** Worker processes one run may start on this machine (each loads its own TensorFlow.js). */
export const MAX_LOCAL_WORKERS = 128;
/** Worker slots of one server (the rule keeps per-worker state for each). */
export const MAX_PS_WORKERS = 1024;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const INTERFACE = /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/;

/** Whether a listen address only admits connections from this machine. */
export const isLoopback = (listen: string): boolean => listen === 'lo' || listen === 'localhost' || listen.startsWith('127.');

/**
 * A parameter-server run (engine "ps"): one server process holds θ and applies the rule (any rule:
 * `send(i)` at a pull, `receive(i, g)` at a push, ALGORITHMS.md §2), and `workers` worker
 * processes, `localWorkers` of them started here and the rest joining over ZeroMQ with
 * `stalelab join`, compute gradients on their own minibatches. The budget is `steps` (applied
 * updates; SSGD rounds for a sync rule) or `epochs`, and/or `seconds` of wall time.
 *
 * The run's token is not a config field (the config is saved with the run): it comes from
 * STALELAB_PS_TOKEN, or is generated and printed when workers are to join from outside.
 */
export const psConfigSchema = z
  .object({
    engine: z.literal('ps'),
    ...commonFields,
    /** The interface the server binds: 127.0.0.1 (default, this machine only), another address, an interface name, or "*" (all). */
    listen: z.string().default('127.0.0.1'),
    /** TCP port; 0 (default) picks a free one, printed when workers are to join from outside. */
    port: z.number().int().min(0).max(65535).default(0),
    /** Worker processes started on this machine (default: all `workers`); the other slots wait for `stalelab join`. */
    localWorkers: z.number().int().min(0).max(MAX_LOCAL_WORKERS).optional(),
    /** The run starts (parameters handed out, the clock runs) once this many workers are ready (joined, problem built); default all `workers`. */
    startWith: z.number().int().min(1).optional(),
    /** Seconds to wait for `startWith` workers (then start with those ready, or fail if none is), for a joined worker to build its problem, and for a joiner when none is left. */
    joinTimeoutSec: z.number().positive().max(86_400).default(300),
    /** A worker silent this long while holding parameters is taken to be gone (its gradient is dropped). */
    workerTimeoutSec: z.number().positive().max(86_400).default(120),
    /** Extra delay every worker waits before each push (emulating a non-dedicated machine). */
    delay: delaySchema.prefault('none'),
    /** One straggler: worker slot `worker` is `factor` times slower (it waits (factor − 1) × its compute time). */
    straggler: stragglerSchema.nullable().default(null),
    ...wallClockBudgetFields,
  })
  .strict()
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    checkCommonFields(c, issue);
    if (c.objective === undefined && c.model === undefined && c.dataset === undefined) {
      issue(['model'], 'required (or give a built-in objective instead of model + dataset): every worker process builds the problem itself');
    }
    if (c.workers > MAX_PS_WORKERS) issue(['workers'], `the ps engine serves at most ${MAX_PS_WORKERS} workers, got ${c.workers}`);
    if (c.localWorkers !== undefined && c.localWorkers > c.workers) issue(['localWorkers'], `at most workers (${c.workers}), got ${c.localWorkers}`);
    if (c.localWorkers === undefined && c.workers > MAX_LOCAL_WORKERS) issue(['localWorkers'], `${c.workers} local worker processes is more than ${MAX_LOCAL_WORKERS}; set localWorkers and let the others join`);
    if (c.startWith !== undefined && c.startWith > c.workers) issue(['startWith'], `at most workers (${c.workers}), got ${c.startWith}`);
    checkWallClockBudget(c, issue);
    if (c.returnTrajectory && c.steps === undefined) issue(['returnTrajectory'], 'needs a steps budget');
    const failing = missingFailingWorker(c);
    if (failing !== null) issue(['objective', 'worker'], `worker ${failing} does not exist (workers: ${c.workers}, ids 0..${c.workers - 1})`);
    if (c.straggler && c.straggler.worker >= c.workers) issue(['straggler', 'worker'], `worker ${c.straggler.worker} does not exist (workers: ${c.workers}, ids 0..${c.workers - 1})`);
    if (c.listen !== '*' && !IPV4.test(c.listen) && !INTERFACE.test(c.listen)) {
      issue(['listen'], `got ${JSON.stringify(c.listen)}; expected an IPv4 address (127.0.0.1, 0.0.0.0, 10.0.0.5), an interface name (eth0) or "*"`);
    }
  });

export type PsConfig = z.output<typeof psConfigSchema>;
export type PsConfigInput = z.input<typeof psConfigSchema>;

/** Worker processes this run starts itself. */
export const localWorkersOf = (c: PsConfig): number => c.localWorkers ?? c.workers;
/** Workers that must have joined before the run starts. */
export const startWithOf = (c: PsConfig): number => c.startWith ?? c.workers;
