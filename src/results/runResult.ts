import type { ColumnTable } from 'arquero';

export type RunStatus = 'finished' | 'diverged' | 'not_converged' | 'interrupted' | 'failed';

/** What a run was and how it ended: saved as run.json beside the tables. */
export interface RunRecord {
  /** Stable id of the run (a hash of its config for sweeps; user-given otherwise). */
  id: string;
  /** The validated config exactly as the engine used it. */
  config: Record<string, unknown>;
  engine: 'sgd' | 'sim' | 'threads';
  backend: string;
  /** Why that backend was chosen (from initBackend). */
  backendReason?: string;
  versions: Record<string, string>;
  seed: number;
  startedAt: string;
  wallTimeSec: number;
  status: RunStatus;
  /** The update at which a diverged run stopped. */
  divergedAtStep?: number;
  /** Free-form message for failed/interrupted runs. */
  message?: string;
  /** Engine-specific summary figures (final accuracy, staleness mean, dropped updates…). */
  summary?: Record<string, number | string | null>;
  machine?: { cores: number; platform: string; node: string };
}

/** The tidy output of any run: one row per applied update, one row per evaluation. */
export interface RunResult {
  updates: ColumnTable;
  evals: ColumnTable;
  record: RunRecord;
  /** θ after every update, when the config asked for it (for hand-checking rules). */
  trajectory?: Float32Array[];
  /** Final parameters. */
  theta?: Float32Array;
}
