import { ConfigError } from '../config/validate.ts';
import { prepareOutputDir } from '../results/outputDir.ts';
import { saveRun } from '../results/runDir.ts';
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

export type RunCommandFlags = RunFlags & { out: string; progress: boolean; overwrite?: boolean };

/**
 * `stalelab run`: build and validate the config, check --out (before any training: an unusable
 * or non-empty directory fails at once), run it on its engine with a progress bar, and save
 * OUT/{updates,evals}.csv + run.json — also when SIGINT, SIGTERM or SIGHUP stopped it.
 */
export async function runCommand(flags: RunCommandFlags, io: CommandIo): Promise<number> {
  const config = await runConfigFromFlags(flags);
  const { parseRunConfig } = await import('../run/parseRunConfig.ts');
  const parsed = await parseRunConfig(config);
  prepareOutputDir(flags.out, { overwrite: flags.overwrite, flag: '--out' });
  const progress = flags.progress ? terminalProgress(io.err) : undefined;
  const interrupt = interruptOnSignals(io.err);
  const control: RunControl = { signal: interrupt.signal, ...(progress ? { onProgress: progress.onProgress } : {}) };
  try {
    let result: RunResult;
    try {
      const { runParsed } = await import('../run/runExperiment.ts');
      result = await runParsed(parsed, { control });
    } finally {
      progress?.stop();
    }
    saveRun(flags.out, result);
    io.out.write(describeRun(result, flags.out));
    return exitCodeOf(result, interrupt.exitCode);
  } finally {
    interrupt.dispose();
  }
}

export { ConfigError };
