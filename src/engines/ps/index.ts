export { psEngine, PS_UPDATE_COLUMNS } from './psEngine.ts';
export { psConfigSchema, MAX_LOCAL_WORKERS, MAX_PS_WORKERS, type PsConfig, type PsConfigInput } from './psConfig.ts';
export { delaySchema, stragglerSchema, DELAY_SCHEMAS, makeDelay, type DelaySpec, type StragglerSpec } from './delayInjection.ts';
export { runPsWorker, PsRefusedError, type PsWorkerOptions, type PsWorkerEnd } from './psWorker.ts';
export { spawnPsWorker, TOKEN_ENV, type LocalWorker } from './spawnPsWorker.ts';
export { PS_PROTOCOL } from './psFrames.ts';
