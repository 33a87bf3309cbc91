import type { ColumnTable } from 'arquero';
import type { Cell } from '../results/columnLog.ts';
import type { MachineRecord } from './provenance.ts';

export type RunStatus = 'finished' | 'diverged' | 'not_converged' | 'interrupted' | 'failed';

/** What a run was and how it ended: saved as run.json beside the tables; the same keys in every engine. */
export interface RunRecord {
  /** Stable id of the run (a hash of its config for sweeps; user-given otherwise). */
  id: string;
  /** The validated config exactly as the engine used it. */
  config: Record<string, unknown>;
  engine: string;
  backend: string;
  /** Why that backend was chosen (from initBackend). */
  backendReason?: string;
  /** stalelab, Node, TensorFlow.js and backend packages, and the git commit when run from a checkout. */
  versions: Record<string, string>;
  seed: number;
  startedAt: string;
  wallTimeSec: number;
  status: RunStatus;
  /** The update at which a diverged run stopped. */
  divergedAtStep?: number;
  /** Why a run ended as it did (diverged, failed, interrupted). */
  message?: string;
  /** The stack of a failed run's error. */
  errorStack?: string;
  /** Figures of the run: the same keys in every engine (see RUN_SUMMARY_KEYS), plus the engine's own. */
  summary: Record<string, Cell>;
  machine: MachineRecord;
  /** Present when the dataset was a partial copy (allowPartial: true): the files or records that were short. */
  partialData?: { missing: readonly string[] };
  /** The CLI's argv (process.argv form) that made the run, or 'library'; cwd resolves its relative paths. Absent in records of stalelab ≤ 0.2.0. */
  command?: string[] | 'library';
  cwd?: string;
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
