import { stalenessScalerCells, stalenessScaler } from '../../stepsize/makeStalenessScaler.ts';
import type { StalenessScaler } from '../../stepsize/stalenessScaler.ts';
import type { StepSizeSpec } from '../../stepsize/stepSizeSpec.ts';
import type { ThreadsConfig } from './threadsConfig.ts';

/** The step-size spec of the rule's staleness-step transform (constant without one). */
export function threadStepSize(config: ThreadsConfig): StepSizeSpec {
  const t = config.rule.transforms.find((p) => p.name === 'staleness-step');
  return t ? (t.params as unknown as StepSizeSpec) : { kind: 'constant' };
}

/** Bytes of the scaler state all threads share (one warm-up histogram). */
export function threadScalerBytes(config: ThreadsConfig): number {
  return stalenessScalerCells(threadStepSize(config)) * Int32Array.BYTES_PER_ELEMENT;
}

/** This thread's scaler over the shared state. */
export function threadScaler(config: ThreadsConfig, state: SharedArrayBuffer): StalenessScaler {
  return stalenessScaler(threadStepSize(config), config.workers, new Int32Array(state));
}
