import type { SimConfig } from './simConfig.ts';
import type { JobBoardBuffers } from './jobBoard.ts';

/** What a compute thread starts with (workerData): the validated config it builds its problem from. */
export interface ComputeInit {
  config: SimConfig;
  thread: number;
}

/**
 * To a ready thread: compute the jobs of this board until it is closed (`thread`: its id in this
 * run, for messages), or dispose of the problem and exit.
 */
export type ComputeRequest =
  | { type: 'run'; board: JobBoardBuffers; batchSeed: number; batchSize: number; rule: SimConfig['rule']; thread: number }
  | { type: 'exit' };

/** The thread's only messages: it is ready, its run's board was closed, or it failed (jobs go through the board). */
export type ComputeReply = { type: 'ready' } | { type: 'idle' } | { type: 'error'; message: string; stack?: string };
