// The public API of stalelab: notebooks and scripts import this (compiled to dist/index.js).
export { z } from 'zod';

export { initBackend, BackendUnavailableError, type BackendInfo } from './backend/initBackend.ts';
export { BACKEND_CHOICES, type BackendChoice } from './backend/backendNames.ts';
export { registerWasmConvKernels } from './backend/wasmConvKernels.ts';

export { loadDataset, clearDatasetCache, DATASET_NAMES, parseDatasetSpec, type DatasetName, type DatasetSpec, type ParsedDatasetSpec } from './data/loadDataset.ts';
export { makeBatchSource, epochPermutation } from './data/batchSource.ts';
export { SPLIT_NAMES, type Dataset, type Split, type SplitName, type Batch, type BatchSource, type Task } from './data/dataset.ts';

export { buildModel } from './models/zoo.ts';
export { parseModelSpec, modelSpecSchema, MODEL_NAMES, INIT_NAMES, type ModelName, type ModelSpec, type ModelSpecInput } from './models/modelSpec.ts';
export type { Model, ParamSpec, StateSpec, ForwardMode, ForwardResult } from './models/model.ts';

export { createModelOracle, type ModelOracleOptions } from './oracle/modelOracle.ts';
export { createObjectiveOracle, quadraticObjective, type ObjectiveOracleOptions, type ObjectiveBatch, type ObjectiveValue, type QuadraticOptions } from './oracle/objectiveOracle.ts';
export { builtinObjectiveSchema, builtinObjectiveOracle, BUILTIN_OBJECTIVE_SCHEMAS, type BuiltinObjective, type BuiltinObjectiveInput } from './oracle/builtinObjectives.ts';
export type { GradientOracle, GradientResult, Evaluation } from './oracle/oracle.ts';

export * from './rules/index.ts';

export { runExperiment, runParsed, budgetSteps, RUN_SUMMARY_KEYS, type RunOptions } from './run/runExperiment.ts';
export { readCheckpoint, writeCheckpoint, removeCheckpoint, checkResumeConfig, checkpointPath, CHECKPOINT_FILE, RESUME_FREE_FIELDS, type Checkpoint, type Checkpointing } from './run/checkpoint.ts';
export { parseRunConfig, engineFields, type RunConfig } from './run/parseRunConfig.ts';
export { ENGINES, ENGINE_NAMES, DEFAULT_ENGINE, type EngineName } from './run/engines.ts';
export type { Engine, EngineContext, RunOutcome } from './run/engine.ts';
export { commonFields, TARGET_METRICS, LEGACY_FIELDS, type CommonConfig, type TargetMetric } from './run/configFields.ts';
export { UPDATE_COLUMNS, type UpdateRow, type UpdateSummary } from './run/updateLog.ts';
export { EVAL_COLUMNS } from './run/evalLog.ts';
export { ProgressClock, type Progress, type RunControl } from './run/runControl.ts';
export type { RunRecord, RunResult, RunStatus } from './run/runRecord.ts';
export { PROFILES, NOTEBOOK_PROFILES, type Profile, type NotebookProfile } from './run/profiles.ts';
export { stalelabVersion, sourceRevision } from './run/provenance.ts';

export * from './engines/sim/index.ts';
export * from './engines/threads/index.ts';
export { runThreads } from './engines/threads/runThreads.ts';

export { sweep, stackTables, SWEEP_RUN_COLUMNS, type SweepOptions, type SweepResult } from './sweep/sweep.ts';
export { expandGrid, loadGridFile, runIdOf, sweepGridSchema, type SweepGrid, type SweepPoint } from './sweep/sweepGrid.ts';
export { startQueueWorker, type QueueWorker, type QueueWorkerOptions, type WorkerEvent, type QueueSettings, type QueueStatus, type QueueSweepSummary } from './sweep/queueApi.ts';
export { listGrid, runGridEntry, collectGrid, type GridEntry, type EntryOutcome } from './sweep/indexRunner.ts';

export { makeLrSchedule, lrScheduleSchema, LR_SCHEDULE_SCHEMAS, type LrSchedule, type LrScheduleSpec, type LrScheduleInput } from './schedule/lrSchedule.ts';
export { deriveStepSize, type DeriveStepSizeOptions, type DerivedStepSize } from './stepsize/deriveStepSize.ts';
export { makeStalenessScaler, stepSizeSpecSchema, type StepSizeSpec, type StepSizeSpecInput, type StepSizeKind } from './stepsize/makeStalenessScaler.ts';
export { STEP_SIZE_KINDS } from './stepsize/stepSizeSpec.ts';
export { distributionFromCounts, distributionFromSamples, type StalenessDistribution } from './stepsize/stalenessDistribution.ts';
export { stepSizeFunction } from './stepsize/stepSizeFunction.ts';
export type { StalenessScaler } from './stepsize/stalenessScaler.ts';

export { ColumnLog, type Cell } from './results/columnLog.ts';
export { saveRun, loadRun, isSavedRun, verifySavedRun, type RunVerdict } from './results/runDir.ts';
export { writeAtomic, type WriteAtomicOptions } from './results/atomicWrite.ts';
export { prepareOutputDir, ensureDir } from './results/outputDir.ts';
export { FileError } from './results/fileError.ts';
export { DataError } from './data/dataError.ts';
export { scaledLearningRates, stepSizeStudyTable, bestStepSizes, STEP_SIZE_STUDY_COLUMNS, type BestStepSize } from './results/stepSizeStudy.ts';
export { atMatchedStaleness, type MatchedStalenessOptions } from './results/matchedStaleness.ts';
export { compareForClaim, formatDifference, type ClaimComparison, type Verdict } from './results/claimVerdict.ts';
export { cellAccuracies, formatMeanInterval, judgeCells, protocolContrastLine, runAccuracy, type CellJudgement } from './results/cellAccuracies.ts';

export * from './plot/index.ts';

export { makeRng, mixSeed, type Rng } from './rng/rng.ts';
export { ConfigError, parseConfig } from './config/validate.ts';

export * from './engines/ps/index.ts';

// Static figures (SVG/PNG/PDF through headless Chromium), the standard figures of a saved run or
// sweep, tables as Arrow IPC and Parquet, the data dictionary, YAML config files.
export { figureToImage, saveFigure, closeFigureRenderer, FigureRenderer, ChromiumMissingError, findChromium, chromiumAvailable, FIGURE_FORMATS, CHROMIUM_ENV, type FigureFormat, type FigureImageOptions } from './plot/figureImage.ts';
export { SyncFigureRenderer } from './plot/figureImageSync.ts';
export { REQUIRE_CHROMIUM_ENV } from './plot/notebookReport.ts';
export { runFigures, sweepFigures, type NamedFigure, type StandardFigures } from './plot/standardFigures.ts';
export { tableToArrow, tableToParquet, tableFromArrow, tableFromParquet, writeTableFiles, TABLE_FORMATS, type TableFormat, type TableKind } from './results/tableFiles.ts';
export { RUN_FILES, RUN_EXPORT_FILES, THETA_FILE } from './results/runDir.ts';
export { DATA_DICTIONARY, columnInfo, renderDataDictionary, type ColumnInfo, type ColumnType, type TableInfo } from './results/columnDictionary.ts';
export { parseConfigText, isYamlPath, YAML_EXTENSIONS } from './config/configText.ts';

// Sweeps recorded for reading without rerunning (experiments/recordSweep.ts writes them).
export { loadRecordedSweep, writeRecordedSweep, recordedSweepMeta, recordedLabel, stalenessCounts, RECORDED_FILES, type RecordedSweep, type RecordedSweepMeta, type RecordedSweepParts, type MissingRun } from './results/recordedSweep.ts';
