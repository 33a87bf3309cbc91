import type { QueueWorker, QueueWorkerOptions } from './queueWorker.ts';

export type { QueueWorker, QueueWorkerOptions, WorkerEvent } from './queueWorker.ts';
export type { QueueSettings, QueueStatus, QueueSweepSummary } from './queueSettings.ts';

/**
 * Start a worker of queue sweeps in this process (a notebook, a script): it takes runs from the
 * queue until `close()`. BullMQ and ioredis load only here, so importing stalelab stays quick.
 */
export async function startQueueWorker(opts: QueueWorkerOptions): Promise<QueueWorker> {
  const { startQueueWorker: start } = await import('./queueWorker.ts');
  return start(opts);
}
