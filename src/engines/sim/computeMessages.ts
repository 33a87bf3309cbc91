import type { SimConfig } from './simConfig.ts';
import type { JobBoardBuffers } from './jobBoard.ts';

/** What a compute thread starts with (workerData): the validated config and the shared job board. */
export interface ComputeInit {
  config: SimConfig;
  thread: number;
  batchSeed: number;
  board: JobBoardBuffers;
}

/** The thread's only messages: it is ready, or it failed (jobs go through the board). */
export type ComputeReply = { type: 'ready' } | { type: 'error'; message: string; stack?: string };
