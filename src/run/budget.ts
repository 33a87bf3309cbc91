import type { RunConfig } from './runConfig.ts';

/** Samples one master update processes: N·B for an SSGD round, B otherwise. */
export function samplesPerUpdate(config: Pick<RunConfig, 'batchSize' | 'workers' | 'rule'>): number {
  return config.batchSize * (config.rule.sync ? config.workers : 1);
}

/** Master updates of the budget: `steps`, or `epochs` of samples (N·B per SSGD round, B otherwise); null for a time budget only. */
export function budgetSteps(config: RunConfig, trainSize: number): number | null {
  if (config.steps !== undefined) return config.steps;
  if (config.epochs === undefined) return null;
  return Math.max(1, Math.ceil((config.epochs * trainSize) / samplesPerUpdate(config)));
}
