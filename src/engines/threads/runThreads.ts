import type { RunControl } from '../../run/runControl.ts';
import type { RunResult } from '../../run/runRecord.ts';

/**
 * `runExperiment` with `engine: 'threads'`: the same config shape, run with real worker threads
 * sharing θ (ALGORITHMS.md §4).
 */
export async function runThreads(input: Record<string, unknown>, control?: RunControl): Promise<RunResult> {
  const { runExperiment } = await import('../../run/runExperiment.ts');
  return runExperiment({ ...input, engine: 'threads' }, control);
}
