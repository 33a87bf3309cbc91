import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { ConfigError } from '../config/validate.ts';
import { writeAtomic } from '../results/atomicWrite.ts';
import { describeFsError, FileError } from '../results/fileError.ts';
import type { RunConfig } from './runConfig.ts';

/** The checkpoint of a run, in its output directory (one file, so replacing it is one atomic rename). */
export const CHECKPOINT_FILE = 'checkpoint.bin';
const FORMAT = 'stalelab-checkpoint';
const VERSION = 1;

/**
 * A run stopped at an update boundary: its validated config and the engine's whole state there
 * (θ, the rule's state, what is in flight, the rows so far; see each engine's checkpoint module).
 * Stored with node:v8's structured serialisation, which keeps typed arrays, NaN and ±Infinity
 * exactly (a JSON round trip would not).
 */
export interface Checkpoint<S = unknown> {
  format: typeof FORMAT;
  version: typeof VERSION;
  engine: string;
  config: Record<string, unknown>;
  /** Master updates applied when it was saved. */
  step: number;
  savedAt: string;
  state: S;
}

export function checkpointPath(dir: string): string {
  return join(dir, CHECKPOINT_FILE);
}

/** Replace DIR/checkpoint.bin atomically: a kill mid-write leaves the previous checkpoint whole. */
export function writeCheckpoint(dir: string, checkpoint: Checkpoint): void {
  writeAtomic(checkpointPath(dir), serialize(checkpoint), { syncDir: true });
}

/** Read DIR/checkpoint.bin; a missing or foreign file is a FileError (exit 2) naming the path. */
export function readCheckpoint(dir: string, flag = '--resume'): Checkpoint {
  const path = checkpointPath(dir);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new FileError(path, `${flag} ${JSON.stringify(dir)}: ${missing ? `no checkpoint there (${path} is missing); a run saves one with --checkpoint-every N (config checkpointEvery), and a finished run removes it` : `cannot read ${path}: ${describeFsError(e)}`}`);
  }
  let value: Partial<Checkpoint>;
  try {
    value = deserialize(bytes) as Partial<Checkpoint>;
  } catch (e) {
    throw new FileError(path, `${flag} ${JSON.stringify(dir)}: ${path} is not a readable checkpoint (${(e as Error).message})`);
  }
  if (value?.format !== FORMAT || value.version !== VERSION || typeof value.step !== 'number' || typeof value.config !== 'object') {
    throw new FileError(path, `${flag} ${JSON.stringify(dir)}: ${path} is not a stalelab checkpoint of format version ${VERSION}`);
  }
  return value as Checkpoint;
}

/** Remove a run's checkpoint once nothing is left to resume (the run ended as a result and was saved). */
export function removeCheckpoint(dir: string): void {
  rmSync(checkpointPath(dir), { force: true });
}

/**
 * Fields a resumed run may change: how often it checkpoints, and where and how gradients are
 * computed (the simulator's tables do not depend on these). Any other difference would make the
 * resumed run a different run than the one checkpointed.
 */
export const RESUME_FREE_FIELDS = ['checkpointEvery', 'computeThreads', 'gradientBatching', 'gradientGroup'] as const;

/** Refuse a config that differs from the checkpoint's in a field that changes the trajectory, naming the field. */
export function checkResumeConfig(checkpoint: Checkpoint, config: RunConfig, flag = '--resume'): void {
  const saved = checkpoint.config;
  const given = config as unknown as Record<string, unknown>;
  const free = new Set<string>(RESUME_FREE_FIELDS);
  for (const key of new Set([...Object.keys(saved), ...Object.keys(given)])) {
    if (free.has(key)) continue;
    const a = JSON.stringify(saved[key]);
    const b = JSON.stringify(given[key]);
    if (a !== b) {
      throw new ConfigError(`${flag}: config.${key} is ${b ?? 'not set'} here but ${a ?? 'not set'} in the checkpoint; resuming with it would not continue the same run (only ${RESUME_FREE_FIELDS.join(', ')} may change): drop the flag, or start a new run`);
    }
  }
}

/**
 * What an engine gets to checkpoint with (EngineContext.checkpoint): when one is due, where it
 * goes, and the state to start from when resuming.
 */
export interface Checkpointing {
  /** Master updates between checkpoints (null: only when the run is interrupted). */
  readonly every: number | null;
  /** Whether to save after update `step` (never after the last one: the run is then saved whole). */
  due(step: number, totalSteps: number | null): boolean;
  /** Save the engine's state after `step` updates. */
  save(step: number, state: unknown): void;
  /** The checkpoint a resumed run continues from; null for a fresh run. */
  readonly resumed: { step: number; state: unknown } | null;
}

/**
 * The checkpointing of a run: into `dir` every config.checkpointEvery updates (and when it is
 * interrupted), resuming from `resume` when given. Null when the run neither checkpoints nor
 * resumes. A checkpointEvery without a directory is a ConfigError naming the field.
 */
export function makeCheckpointing(config: RunConfig, opts: { dir?: string; resume?: Checkpoint }): Checkpointing | null {
  const every = (config as { checkpointEvery?: number }).checkpointEvery ?? null;
  if (every !== null && opts.dir === undefined) {
    throw new ConfigError('config.checkpointEvery: needs a directory to save checkpoints in: stalelab run --out DIR, or runExperiment(config, control, { checkpointDir })');
  }
  if (opts.resume) checkResumeConfig(opts.resume, config);
  if (every === null && !opts.resume && opts.dir === undefined) return null;
  const dir = opts.dir;
  return {
    every,
    due: (step, total) => every !== null && step % every === 0 && (total === null || step < total),
    save(step, state) {
      if (dir === undefined) return;
      writeCheckpoint(dir, { format: FORMAT, version: VERSION, engine: config.engine, config: config as unknown as Record<string, unknown>, step, savedAt: new Date().toISOString(), state });
    },
    resumed: opts.resume ? { step: opts.resume.step, state: opts.resume.state } : null,
  };
}
