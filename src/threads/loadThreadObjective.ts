import type { ThreadsConfig } from './threadsConfig.ts';
import type { ThreadObjective } from './threadObjective.ts';
import { makeBuiltinObjective } from './builtinObjectives.ts';

export interface BackendInfo {
  name: string;
  reason?: string;
  versions: Record<string, string>;
}

/**
 * The objective of a run, in a worker (thread ≥ 0) or the main thread (thread = −1, which only
 * initialises θ and evaluates snapshots). Model runs load TensorFlow.js lazily so built-in
 * objectives start threads without it.
 */
export async function loadThreadObjective(config: ThreadsConfig, thread: number): Promise<{ objective: ThreadObjective; backend: BackendInfo }> {
  if (config.objective) {
    return {
      objective: makeBuiltinObjective(config.objective, config.seed, thread),
      backend: { name: 'js', reason: 'built-in objective: plain JavaScript, no TensorFlow.js', versions: { node: process.versions.node } },
    };
  }
  const { makeModelObjective } = await import('./modelObjective.ts');
  return makeModelObjective(config);
}
