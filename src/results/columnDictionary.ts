/**
 * The data dictionary: every column of every table stalelab writes, with its type, unit and
 * meaning. It is the one source of truth: docs/DATA_DICTIONARY.md is rendered from it
 * (scripts/data-dictionary.ts), the Arrow/Parquet files take their column types from it, and a
 * test runs every engine and a sweep and fails on any column missing here.
 */
import { NOTEBOOK_PROFILES } from '../run/profiles.ts';

/** How a column's values are stored: `json` is a string holding a JSON value; every type may also be null. */
export type ColumnType = 'integer' | 'number' | 'string' | 'boolean' | 'json';

/** The engines that write a column (absent: all of them). */
export type EngineName = 'sim' | 'threads' | 'ps';

export interface ColumnInfo {
  readonly type: ColumnType;
  /** The unit, or '' for counts without a unit, names and flags. */
  readonly unit: string;
  readonly meaning: string;
  readonly engines?: readonly EngineName[];
}

export interface TableInfo {
  /** Where the table is written. */
  readonly files: string;
  readonly about: string;
  readonly columns: Readonly<Record<string, ColumnInfo>>;
}

const col = (type: ColumnType, unit: string, meaning: string, engines?: readonly EngineName[]): ColumnInfo => (engines ? { type, unit, meaning, engines } : { type, unit, meaning });

const SIM: readonly EngineName[] = ['sim'];
const THREADS: readonly EngineName[] = ['threads'];
const PS: readonly EngineName[] = ['ps'];
const REAL: readonly EngineName[] = ['threads', 'ps'];

export const UPDATES_TABLE: TableInfo = {
  files: 'updates.csv / updates.arrow / updates.parquet (a run directory; a sweep directory stacks every run)',
  about: 'One row per applied update (every `logEvery`-th, plus the first, the last and a diverging one).',
  columns: {
    step: col('integer', 'updates', 'The model version this update produced (1 for the first update); an SSGD round counts once.'),
    worker: col('integer', '', 'The worker whose gradient was applied (0-based); null for an SSGD round, which averages all workers.'),
    staleness: col('integer', 'updates', 'τ: versions applied between the worker reading θ and its gradient being applied (version at apply − version at read).'),
    gap_rmse: col('number', 'parameter units', 'The gap ‖θ_apply − θ_read‖₂ / √D between the parameters the gradient was applied to and those it was computed at; null where the engine cannot measure it.'),
    lr: col('number', '', 'The learning rate applied: the schedule’s η times the staleness step size s(τ).'),
    scale: col('number', '', 's(τ), the staleness-adaptive step-size factor (1 without a staleness-step transform).'),
    penalty_mean: col('number', '', 'Mean over coordinates of the divisor the penalising transforms applied (Gap-Aware’s G, Staleness-Aware’s max(1, τ)); 1 without one.'),
    penalty_max: col('number', '', 'Largest per-coordinate divisor the penalising transforms applied; 1 without one.'),
    loss: col('number', 'loss', 'The minibatch loss of the applied gradient, at the parameters it was computed on (cross-entropy for models, the objective’s value for built-in objectives).'),
    samples: col('integer', 'examples', 'Training examples processed so far (updates × batch size; × workers per SSGD round).'),
    epoch: col('number', 'epochs', 'samples / training-set size.'),
    sim_time: col('number', 'simulated time units', 'Simulated time when the update was applied (a worker’s job takes its mean compute time on average; see the timing summary).', SIM),
    wall_time: col('number', 's', 'Wall-clock seconds from the start of training when the update was applied.', REAL),
    cas_attempts: col('integer', '', 'Leashed-SGD: compare-and-swap attempts to publish this update (1 = first try); 1 under lock and Hogwild!.', THREADS),
    torn: col('boolean', '', 'The read of θ behind this gradient overlapped a write (seqlock check), so it may be torn; possible only under Hogwild!.', THREADS),
    compute_sec: col('number', 's', 'The worker’s time computing this gradient.', PS),
    delay_sec: col('number', 's', 'Extra delay injected before the push (delay, straggler); 0 without one.', PS),
    comm_sec: col('number', 's', 'The worker’s wait for its parameters (pull round trip).', PS),
    server_sec: col('number', 's', 'The server’s own time for this update: validating the frame, the rule’s receive and send, framing.', PS),
    pull_version: col('integer', 'updates', 'The server version the worker pulled (step − staleness at apply).', PS),
    batch: col('integer', '', 'Index k of the minibatch in the run’s seeded batch stream (the same k gives the same batch in every engine).', PS),
    profile: col('string', '', `The config’s profile label (notebooks: ${NOTEBOOK_PROFILES.join(', ')}; custom otherwise).`),
  },
};

export const EVALS_TABLE: TableInfo = {
  files: 'evals.csv / evals.arrow / evals.parquet (a run directory; a sweep directory stacks every run)',
  about: 'One row per evaluation of one split: at step 0, every `evalEvery` updates and at the end.',
  columns: {
    step: col('integer', 'updates', 'The model version evaluated.'),
    epoch: col('number', 'epochs', 'samples / training-set size at the evaluation.'),
    samples: col('integer', 'examples', 'Training examples processed before the evaluation.'),
    sim_time: col('number', 'simulated time units', 'Simulated time of the evaluation.', SIM),
    wall_time: col('number', 's', 'Wall-clock seconds from the start of training.', REAL),
    split: col('string', '', 'The split evaluated: train or test (a seeded subset with evalSubset).'),
    params: col('string', '', 'Which parameters were evaluated: master (θ) or look-ahead (what the master sends now, e.g. DANA’s θ − ηγS; sim evalAt).'),
    loss: col('number', 'loss', 'Mean loss over the split; null when not finite (a diverged θ).'),
    accuracy: col('number', 'fraction', 'Top-1 accuracy in [0, 1]; null for objectives without classes.'),
    profile: col('string', '', 'The config’s profile label.'),
  },
};

export const SUMMARY_TABLE: TableInfo = {
  files: 'run.json `summary` (one run); the same keys are columns of a sweep’s runs.csv / runs.arrow / runs.parquet',
  about: 'Figures of a whole run, over every update (not only the logged rows). Engine-specific keys follow the common ones.',
  columns: {
    rule: col('string', '', 'The rule’s name (named rule, or base+transforms).'),
    rule_base: col('string', '', 'The rule’s base step (sgd, momentum, dana-zero, …).'),
    rule_transforms: col('string', '', 'The rule’s gradient transforms in order, joined by +; empty for none.'),
    rule_params: col('json', '', 'The base’s and each transform’s parameters: {"base": {…}, "transforms": [{"name", …}]}.'),
    objective: col('string', '', 'The problem: model and dataset, or the built-in objective, as the oracle describes it.'),
    dim: col('integer', 'parameters', 'D, the number of trained parameters.'),
    workers: col('integer', 'workers', 'N: simulated workers, worker threads or parameter-server workers.'),
    profile: col('string', '', 'The config’s profile label.'),
    updates: col('integer', 'updates', 'Updates applied (SSGD rounds for a sync rule).'),
    samples: col('integer', 'examples', 'Training examples processed.'),
    epochs: col('number', 'epochs', 'samples / training-set size.'),
    staleness_mean: col('number', 'updates', 'Mean staleness τ over every update.'),
    staleness_p50: col('number', 'updates', 'Median staleness.'),
    staleness_p90: col('number', 'updates', '90th percentile of staleness.'),
    staleness_max: col('number', 'updates', 'Largest staleness.'),
    gap_rmse_mean: col('number', 'parameter units', 'Mean gap_rmse over the updates that measured it; null where none did.'),
    penalty_mean: col('number', '', 'Mean of penalty_mean over every update.'),
    scale_mean: col('number', '', 'Mean staleness step size s(τ) over every update.'),
    final_test_loss: col('number', 'loss', 'Test loss at the end of a completed run (finished or not_converged); null otherwise.'),
    final_test_accuracy: col('number', 'fraction', 'Test accuracy at the end of a completed run; null otherwise or without classes.'),
    final_train_loss: col('number', 'loss', 'Train-split loss at the end of a completed run, when train is evaluated.'),
    final_train_accuracy: col('number', 'fraction', 'Train-split accuracy at the end of a completed run, when train is evaluated.'),
    best_test_accuracy: col('number', 'fraction', 'Highest test accuracy of any evaluation.'),
    last_test_loss: col('number', 'loss', 'Test loss of the last evaluation, whatever the status (e.g. just before a divergence).'),
    last_test_accuracy: col('number', 'fraction', 'Test accuracy of the last evaluation, whatever the status.'),
    target_reached_step: col('integer', 'updates', 'The first evaluation step at which the target (e.g. test_accuracy ≥ 0.9) held; null if never.'),
    target_reached_time: col('number', 'engine clock (simulated units or s)', 'The engine’s clock (sim_time or wall_time) at that evaluation; null if never.'),
    collapsed: col('boolean', '', 'The run learned (test accuracy rose above chance) and then ended at chance; null without classes or evaluations.'),
    collapse_step: col('integer', 'updates', 'The first evaluation from which test accuracy stayed at chance, when collapsed.'),
    chance_accuracy: col('number', 'fraction', '1 / classes: the accuracy of guessing; null without classes.'),
    diverge_bound: col('number', 'loss', 'The minibatch loss above which the run counts as diverged; null when off.'),
    updates_per_sec: col('number', 'updates/s', 'Updates applied per wall-clock second of the run.'),
    // sim: the timing model's description, then the engine's own figures.
    timing: col('string', '', 'The compute-time model: gamma, round-robin or schedule.', SIM),
    shape: col('number', '', 'Gamma timing: shape k of every worker’s job times (coefficient of variation 1/√k).', SIM),
    mean_min: col('number', 'simulated time units', 'Gamma timing: the smallest worker mean job time.', SIM),
    mean_max: col('number', 'simulated time units', 'Gamma timing: the largest worker mean job time.', SIM),
    means: col('string', 'simulated time units', 'Gamma timing: every worker’s mean job time, space-separated.', SIM),
    length: col('integer', 'arrivals', 'Schedule timing: arrivals listed in timing.order.', SIM),
    repeat: col('string', '', 'Schedule timing: "true" when the order repeats.', SIM),
    sim_time: col('number', 'simulated time units', 'Simulated time at the end of the run.', SIM),
    preset: col('string', '', 'The named protocol (src/run/presets.ts, e.g. authors) whose defaults the config was filled from; null for none.', SIM),
    eval_at: col('string', '', 'Which parameters were evaluated: master, look-ahead or both.', SIM),
    final_look_ahead_test_loss: col('number', 'loss', 'evalAt both: test loss of the look-ahead parameters at the end (beside final_test_loss, the master’s).', SIM),
    final_look_ahead_test_accuracy: col('number', 'fraction', 'evalAt both: test accuracy of the look-ahead parameters at the end.', SIM),
    gradient_batching: col('string', '', 'off (each gradient computed when applied) or in-flight (grouped ahead).', SIM),
    compute_threads: col('integer', 'threads', 'Threads computing the workers’ gradients: this thread and K − 1 helper threads (1: this thread alone; computeThreads "auto" decides by the problem).', SIM),
    gradient_group_used: col('integer', 'gradients', 'In-flight batching: the group size kept after timing sizes 1, 4, 16, … up to gradientGroup (1: no group was faster); null when off or still timing.', SIM),
    gradient_passes: col('integer', 'passes', 'Oracle gradient passes made.', SIM),
    gradients_computed: col('integer', 'gradients', 'Gradients computed (jobs past the budget are not).', SIM),
    // threads
    sync: col('string', '', 'Synchronisation of θ: lock, hogwild or leashed.', THREADS),
    cores: col('integer', 'cores', 'The machine’s available parallelism (os.availableParallelism()).', REAL),
    applied: col('integer', 'updates', 'Gradients applied to θ.', THREADS),
    submitted: col('integer', 'gradients', 'Gradients the threads tried to apply (applied + dropped).', THREADS),
    dropped: col('integer', 'gradients', 'Leashed-SGD: gradients given up after persistence + 1 failed publishes.', THREADS),
    cas_failures: col('integer', '', 'Leashed-SGD: failed compare-and-swap publishes in total.', THREADS),
    torn_reads: col('integer', 'reads', 'Reads of θ that overlapped a write (possible torn reads; Hogwild! only).', THREADS),
    invariant_violations: col('integer', '', 'Constant-gradient objective: parameter vectors read with unequal coordinates (torn reads seen); null otherwise.', THREADS),
    lost_element_updates: col('number', 'updates', 'Constant-gradient objective under plain SGD: element updates overwritten (expected − actual decrease, in updates); null otherwise.', THREADS),
    invariant_max_abs_error: col('number', 'parameter units', 'Constant-gradient objective under plain SGD: max_j |θ_j − (θ0 − c·Σ lr)|; null otherwise.', THREADS),
    workers_terminated: col('integer', 'threads', 'Worker threads that had to be terminated at the end (0 after a clean join).', THREADS),
    leashed_slots_in_use: col('integer', 'slots', 'Leashed-SGD: parameter slots not free after the join (1 = only the published θ); null otherwise.', THREADS),
    leashed_pinned_readers: col('integer', 'readers', 'Leashed-SGD: readers still pinning a slot after the join (0 expected); null otherwise.', THREADS),
    resumed_from_step: col('integer', 'updates', 'The update of the checkpoint this run was resumed from (stalelab run --resume); null for a run that ran from the start. The simulator and one thread under the lock resume exactly; with more threads the run continues from the checkpoint’s state along another interleaving.', ['sim', 'threads']),
    // ps
    endpoint: col('string', '', 'tcp://HOST:PORT the server listened on.', PS),
    local_workers: col('integer', 'workers', 'Worker processes the server started on this machine.', PS),
    workers_joined: col('integer', 'workers', 'Workers that joined (local and remote).', PS),
    workers_left: col('integer', 'workers', 'Workers that left or were lost before the end.', PS),
    dropped_gradients: col('integer', 'gradients', 'Gradients in flight lost with a worker that left, failed or went silent.', PS),
    unapplied_at_stop: col('integer', 'gradients', 'Gradients that arrived after the budget was spent.', PS),
    rejected_frames: col('integer', 'messages', 'Messages rejected by validation (bad token, size, version, dtype…).', PS),
    reject_reasons: col('json', '', 'Rejected messages by reason: {"reason": count}; null when none.', PS),
    refused_workers: col('integer', 'workers', 'Hellos refused (wrong token, other protocol, no free worker slot).', PS),
    timed_out_workers: col('integer', 'workers', 'Workers evicted after workerTimeoutSec without a message.', PS),
    worker_errors: col('integer', 'workers', 'Workers that left reporting an error.', PS),
    local_start_failures: col('integer', 'workers', 'Local worker processes that failed to start.', PS),
    eval_sec: col('number', 's', 'Server seconds spent evaluating.', PS),
    compute_sec_mean: col('number', 's', 'Mean compute_sec over every applied update.', PS),
    delay_sec_mean: col('number', 's', 'Mean injected delay per applied update.', PS),
    comm_sec_mean: col('number', 's', 'Mean comm_sec per applied update.', PS),
    server_sec_per_update: col('number', 's', 'Mean server_sec per applied update.', PS),
    worker_times: col('json', 's', 'Per worker: {"i": {"updates", "compute_sec", "delay_sec", "comm_sec"}} (means, 4 significant digits).', PS),
    server_cpu_sec_per_update: col('number', 's', 'Server process CPU seconds per applied update.', PS),
  },
};

export const RUNS_TABLE: TableInfo = {
  files: 'runs.csv / runs.arrow / runs.parquet (a sweep directory)',
  about: 'One row per run of a sweep: these columns, one column per swept field (see the sweep columns), then every key of the runs’ summaries (the summary table above).',
  columns: {
    run_id: col('string', '', 'The run’s id and sub-directory: readable swept values + a hash of the validated config.'),
    engine: col('string', '', 'The engine that ran it: sim, threads or ps.'),
    status: col('string', '', 'finished, diverged, not_converged (stopAtTarget without reaching it), interrupted or failed.'),
    diverged_at_step: col('integer', 'updates', 'The update at which a diverged run stopped; null otherwise.'),
    loaded: col('boolean', '', 'True when the run was loaded from the directory (saved by an earlier invocation) rather than run now.'),
    wall_time_sec: col('number', 's', 'Wall-clock seconds the run took.'),
    seed: col('integer', '', 'The run’s seed.'),
  },
};

export const SWEEP_COLUMNS_TABLE: TableInfo = {
  files: 'updates / evals / runs of a sweep directory',
  about: 'Columns a sweep adds to its stacked tables, before the runs’ own.',
  columns: {
    run_id: col('string', '', 'The run the row belongs to (its sub-directory).'),
    '<swept field>': col('json', '', 'One column per field the grid varies, named by its dotted config path (rule, workers, seed, timing.shape…): a rule with parameters by its name, a number or string as itself, anything else as JSON.'),
  },
};

/** Every table, by the name the docs and tests use. */
export const DATA_DICTIONARY = {
  updates: UPDATES_TABLE,
  evals: EVALS_TABLE,
  summary: SUMMARY_TABLE,
  runs: RUNS_TABLE,
  sweep: SWEEP_COLUMNS_TABLE,
} as const satisfies Record<string, TableInfo>;
export type TableName = keyof typeof DATA_DICTIONARY;

/** A table's column: its own entry, else a sweep's tag column, else (runs table) a summary key. */
export function columnInfo(table: 'updates' | 'evals' | 'runs', column: string): ColumnInfo | undefined {
  const own = DATA_DICTIONARY[table].columns[column];
  if (own) return own;
  if (column === 'run_id') return SWEEP_COLUMNS_TABLE.columns.run_id;
  return table === 'runs' ? SUMMARY_TABLE.columns[column] : undefined;
}

const escapeCell = (s: string) => s.replace(/\|/g, '\\|');

/** docs/DATA_DICTIONARY.md, rendered from DATA_DICTIONARY (scripts/data-dictionary.ts writes it; a test checks it is current). */
export function renderDataDictionary(): string {
  const lines = [
    '# Data dictionary',
    '',
    '<!-- Generated from src/results/columnDictionary.ts by `npx tsx scripts/data-dictionary.ts`; do not edit by hand. -->',
    '',
    'Every table stalelab writes, column by column. Each table is saved three ways with the same',
    'columns: CSV (`.csv`), Apache Arrow IPC file (`.arrow`, readable as Feather v2 by pandas,',
    'polars, R arrow and DuckDB) and Parquet (`.parquet`, zstd, written by parquet-wasm). In Arrow',
    'and Parquet, `integer` columns are int64, `number` float64, `boolean` bool, `string` and `json`',
    'utf8, so a column has one type in every run; columns not listed here (a sweep\'s swept fields)',
    'follow their values, numbers as float64. Any value may be null. `engines` lists the engines',
    'that write a column (blank: every engine). `loadRun` reads the CSV files; the others are for',
    'other tools (`pd.read_feather`, `pl.read_parquet`, `arrow::read_parquet`, DuckDB `FROM \'x.parquet\'`).',
    'A run directory also holds the final θ as `theta.bin`: D raw little-endian float32 values',
    '(`numpy.fromfile(path, \'<f4\')`; `loadRun` returns it as `theta`), its sha256 and D in run.json',
    '`checksums`; and, while a run with `checkpointEvery` is unfinished, `checkpoint.bin` (`--resume`).',
    '',
  ];
  for (const [name, t] of Object.entries(DATA_DICTIONARY)) {
    lines.push(`## ${name}`, '', `${t.about}`, '', `Files: ${t.files}.`, '', '| column | type | unit | engines | meaning |', '| --- | --- | --- | --- | --- |');
    for (const [c, info] of Object.entries(t.columns)) {
      lines.push(`| \`${c}\` | ${info.type} | ${escapeCell(info.unit)} | ${info.engines?.join(', ') ?? ''} | ${escapeCell(info.meaning)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
