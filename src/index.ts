// The public API of stalelab: notebooks and scripts import this (compiled to dist/index.js).

export { initBackend, BACKEND_CHOICES, BackendUnavailableError, type BackendChoice, type BackendInfo } from './backend/initBackend.ts';
export { registerWasmConvKernels } from './backend/wasmConvKernels.ts';

export { loadDataset, clearDatasetCache, DATASET_NAMES, parseDatasetSpec, type DatasetName, type DatasetSpec, type ParsedDatasetSpec } from './data/loadDataset.ts';
export { makeBatchSource, epochPermutation } from './data/batchSource.ts';
export type { Dataset, Split, SplitName, Batch, BatchSource, Task } from './data/dataset.ts';

export { buildModel, parseModelSpec, MODEL_NAMES, INIT_NAMES, type ModelName, type ModelSpec, type ModelSpecInput } from './models/zoo.ts';
export type { Model, ParamSpec, StateSpec, ForwardMode, ForwardResult } from './models/model.ts';

export { createModelOracle, type ModelOracleOptions } from './oracle/modelOracle.ts';
export type { GradientOracle, GradientResult, Evaluation } from './oracle/oracle.ts';

export * from './sim/index.ts';
export * from './rules/index.ts';

export { runThreads } from './threads/runThreads.ts';
export { threadsConfigSchema, targetMetrics, type ThreadsConfig, type ThreadsConfigInput } from './threads/threadsConfig.ts';
export { builtinObjectiveSchema as threadObjectiveSchema, type BuiltinObjectiveSpec as ThreadObjectiveSpec } from './threads/builtinObjectives.ts';

export { deriveStepSize, type DeriveStepSizeOptions, type DerivedStepSize } from './stepsize/deriveStepSize.ts';
export { makeStalenessScaler, stepSizeSpecSchema, type StepSizeSpec, type StepSizeSpecInput, type StepSizeKind } from './stepsize/makeStalenessScaler.ts';
export { distributionFromCounts, distributionFromSamples, type StalenessDistribution } from './stepsize/stalenessDistribution.ts';
export { stepSizeFunction } from './stepsize/stepSizeFunction.ts';
export type { StalenessScaler } from './stepsize/stalenessScaler.ts';

export { ColumnLog, type Cell } from './results/columnLog.ts';
export { saveRun, loadRun, isSavedRun } from './results/runDir.ts';
export { ProgressClock, type Progress, type RunControl } from './results/runControl.ts';
export type { RunRecord, RunResult, RunStatus } from './results/runResult.ts';

export * from './plot/index.ts';

export { makeRng, mixSeed, type Rng } from './rng/rng.ts';
export { ConfigError, parseConfig } from './config/validate.ts';
export { scaledLearningRates, stepSizeStudyTable, bestStepSizes, STEP_SIZE_STUDY_COLUMNS, type BestStepSize } from './results/stepSizeStudy.ts';
