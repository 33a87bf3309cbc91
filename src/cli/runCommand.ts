import { ConfigError } from '../config/validate.ts';
import type { RunControl } from '../run/runControl.ts';
import type { RunResult } from '../run/runRecord.ts';
import { saveRun } from '../results/runDir.ts';
import { interruptOnSigint } from './interrupt.ts';
import { terminalProgress } from './progressBar.ts';
import { runConfigFromFlags, type RunFlags } from './runConfig.ts';
import { describeRun } from './runSummary.ts';

export interface CommandIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WriteStream;
}

/** Exit status of a run: results (finished, diverged, not converged) are success; an interrupt is 130. */
export function exitCodeOf(result: RunResult): number {
  if (result.record.status === 'interrupted') return 130;
  if (result.record.status === 'failed') return 1;
  return 0;
}

/** `stalelab run`: build the config, run it on its engine with a progress bar, save DIR/{updates,evals}.csv + run.json. */
export async function runCommand(flags: RunFlags & { out: string; progress: boolean }, io: CommandIo): Promise<number> {
  const config = await runConfigFromFlags(flags);
  const progress = flags.progress ? terminalProgress(io.err) : undefined;
  const interrupt = interruptOnSigint(io.err);
  const control: RunControl = { signal: interrupt.signal, ...(progress ? { onProgress: progress.onProgress } : {}) };
  let result: RunResult;
  try {
    const { runExperiment } = await import('../run/runExperiment.ts');
    result = await runExperiment(config, control);
  } finally {
    progress?.stop();
    interrupt.dispose();
  }
  saveRun(flags.out, result);
  io.out.write(describeRun(result, flags.out));
  return exitCodeOf(result);
}

export { ConfigError };
