export { simEngine } from './simEngine.ts';
export { simConfigSchema, type SimConfig, type SimConfigInput } from './simConfig.ts';
export { timingSchema, TIMING_SCHEMAS, type TimingSpec, type TimingInput } from './timingSpec.ts';
export { makeTiming, workerMeans } from './makeTiming.ts';
export type { Timing } from './timing.ts';
export { InFlightGradients, GRADIENT_BATCHING, type GradientBatching } from './inFlightGradients.ts';
export { closeComputeThreads } from './computeThreads.ts';
