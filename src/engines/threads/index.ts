export { threadsEngine } from './threadsEngine.ts';
export { threadsConfigSchema, MAX_THREADS, type ThreadsConfig, type ThreadsConfigInput } from './threadsConfig.ts';
export { SYNC_MODES, type SyncMode } from './syncModes.ts';
export { liveThreadWorkers } from './workerGang.ts';
