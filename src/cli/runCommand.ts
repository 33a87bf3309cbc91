import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../config/validate.ts';
import { prepareOutputDir } from '../results/outputDir.ts';
import { saveRun } from '../results/runDir.ts';
import { checkpointPath, checkResumeConfig, readCheckpoint, removeCheckpoint, type Checkpoint } from '../run/checkpoint.ts';
import type { RunControl } from '../run/runControl.ts';
import type { RunResult } from '../run/runRecord.ts';
import { interruptOnSignals, signalExitCode } from './interrupt.ts';
import { terminalProgress } from './progressBar.ts';
import { runConfigFromFlags, type RunFlags } from './runConfig.ts';
import { describeRun } from './runSummary.ts';

export interface CommandIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WriteStream;
}

/**
 * Exit status of a run: results (finished, diverged, not converged) are success; an interrupt is
 * the status of the signal that stopped it (SIGINT 130, SIGTERM 143, SIGHUP 129), as if it had
 * killed the process; a failed run is 1.
 */
export function exitCodeOf(result: RunResult, interruptCode: number = signalExitCode('SIGINT')): number {
  if (result.record.status === 'interrupted') return interruptCode;
  if (result.record.status === 'failed') return 1;
  return 0;
}

export type RunCommandFlags = RunFlags & { out?: string; progress: boolean; overwrite?: boolean; resume?: string };

/** A run's end that leaves nothing to resume (a result), after which its checkpoint is removed. */
const ENDED = new Set(['finished', 'not_converged', 'diverged']);

/** With --resume DIR: the checkpoint there and the config it was saved with, the flags laid over it. */
async function resumedConfig(flags: RunCommandFlags & { resume: string }): Promise<{ checkpoint: Checkpoint; config: Record<string, unknown> }> {
  if (flags.config) throw new ConfigError('--config: not with --resume (the run\'s config is in its checkpoint)');
  if (flags.out !== undefined && resolve(flags.out) !== resolve(flags.resume)) throw new ConfigError(`--out: with --resume the run continues in ${JSON.stringify(flags.resume)}; leave --out out or give the same directory`);
  const checkpoint = readCheckpoint(flags.resume);
  const config = await runConfigFromFlags(flags, checkpoint.config);
  if (flags.id === undefined && checkpoint.config.id !== undefined) config.id = checkpoint.config.id;
  return { checkpoint, config };
}

/**
 * `stalelab run`: build and validate the config, check --out (before any training: an unusable
 * or non-empty directory fails at once), run it on its engine with a progress bar, and save
 * OUT/{updates,evals}.csv + run.json — also when SIGINT, SIGTERM or SIGHUP stopped it. With
 * --checkpoint-every it saves OUT/checkpoint.bin as it goes; --resume DIR continues from there.
 */
export async function runCommand(flags: RunCommandFlags, io: CommandIo): Promise<number> {
  if (flags.resume === undefined && flags.out === undefined) throw new ConfigError('--out: required: the directory for the tables and run record (or --resume DIR to continue a checkpointed run)');
  const resumed = flags.resume !== undefined ? await resumedConfig(flags as RunCommandFlags & { resume: string }) : null;
  const config = resumed?.config ?? (await runConfigFromFlags(flags));
  const { parseRunConfig } = await import('../run/parseRunConfig.ts');
  const parsed = await parseRunConfig(config);
  if (resumed) checkResumeConfig(resumed.checkpoint, parsed);
  const out = (flags.out ?? flags.resume)!;
  // A resumed run writes its files over those of the interrupted one, next to its checkpoint.
  prepareOutputDir(out, { overwrite: flags.overwrite || resumed !== null, flag: resumed ? '--resume' : '--out' });
  const checkpointDir = resumed || (parsed as { checkpointEvery?: number }).checkpointEvery !== undefined ? out : undefined;
  const progress = flags.progress ? terminalProgress(io.err) : undefined;
  const interrupt = interruptOnSignals(io.err);
  const control: RunControl = { signal: interrupt.signal, ...(progress ? { onProgress: progress.onProgress } : {}) };
  try {
    let result: RunResult;
    try {
      const { runParsed } = await import('../run/runExperiment.ts');
      result = await runParsed(parsed, { control, checkpointDir, ...(resumed ? { resume: resumed.checkpoint } : {}) });
    } finally {
      progress?.stop();
    }
    const files = saveRun(out, result);
    io.out.write(describeRun(result, out, files));
    if (resumed) io.out.write(`  resumed from the checkpoint at update ${resumed.checkpoint.step}\n`);
    if (checkpointDir && ENDED.has(result.record.status)) removeCheckpoint(out);
    else if (checkpointDir && existsSync(checkpointPath(out))) io.out.write(`  ${checkpointPath(out)} is kept: continue the run with  stalelab run --resume ${out}\n`);
    const collapse = collapseWarning(result);
    if (collapse) io.err.write(collapse);
    return exitCodeOf(result, interrupt.exitCode);
  } finally {
    interrupt.dispose();
  }
}

/** The warning for a run that learned and then ended at chance accuracy (summary.collapsed), or null. */
export function collapseWarning(result: RunResult): string | null {
  const s = result.record.summary;
  if (s.collapsed !== true) return null;
  const acc = typeof s.last_test_accuracy === 'number' ? s.last_test_accuracy.toFixed(3) : '?';
  return `stalelab: warning: the run collapsed: its test accuracy ended at chance (${acc}; chance ${s.chance_accuracy}) after it had learned, and was at chance by update ${s.collapse_step}. ` +
    'A status of finished does not mean it trained: try a smaller --lr or fewer --workers, and --eval-every to see when it happened.\n';
}

export { ConfigError };
