import type { z } from 'zod';
import type { Cell } from '../results/columnLog.ts';
import type { Checkpointing } from './checkpoint.ts';
import type { CommonConfig } from './configFields.ts';
import type { EvalLog } from './evalLog.ts';
import type { ResolvedProblem } from './problem.ts';
import type { ProgressClock, RunControl } from './runControl.ts';
import type { RunStatus } from './runRecord.ts';
import type { UpdateLog } from './updateLog.ts';

/** What an engine gets besides its config: the problem (resolved once by the run layer) and the caller's control. */
export interface EngineContext {
  problem: ResolvedProblem;
  control?: RunControl;
  /** Progress and abort, already labelled and budgeted by the run layer. */
  clock: ProgressClock;
  /** Master updates the run is budgeted for (steps, or epochs of samples); null: a time budget only. */
  totalSteps: number | null;
  /** Where and when to save checkpoints, and the state to resume from (engines that can; absent: neither). */
  checkpoint?: Checkpointing | null;
}

/** How a run went, for the run layer to turn into tables and a record with the same keys in every engine. */
export interface RunOutcome {
  status: RunStatus;
  /** Updates applied. */
  steps: number;
  samples: number;
  divergedAtStep?: number;
  message?: string;
  /** Where a failed run's error was raised. */
  errorStack?: string;
  updates: UpdateLog<string>;
  evals: EvalLog;
  /** Final parameters (the master's θ). */
  theta: Float32Array;
  trajectory?: Float32Array[];
  /** The loss bound divergence was checked against (null: none). */
  divergeBound: number | null;
  /** Seconds the engine measured the run over, when not the whole call (threads: from the start barrier). */
  wallTimeSec?: number;
  /** The engine's own summary figures, recorded after the common ones. */
  extra: Record<string, Cell>;
}

/**
 * An engine: one folder and one line in the registry (run/engines.ts). Its config is the common
 * fields plus its own (`configSchema`, strict); the run layer validates it, resolves the problem
 * and builds the tables and record from the outcome.
 */
export interface Engine<C extends CommonConfig = CommonConfig> {
  readonly name: string;
  readonly description: string;
  readonly configSchema: z.ZodType<C>;
  /** Whether the engine can train on an oracle object built by the caller in this process. */
  readonly acceptsOracleObject: boolean;
  run(config: C, ctx: EngineContext): Promise<RunOutcome>;
}
