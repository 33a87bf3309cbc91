import type { ParameterMemory } from './parameterStore.ts';
import type { ThreadsConfig } from './threadsConfig.ts';
import type { ThreadRows } from './threadRows.ts';

/** What a worker thread is started with (workerData): plain data and shared buffers only. */
export interface WorkerInit {
  config: ThreadsConfig;
  thread: number;
  control: SharedArrayBuffer;
  memory: ParameterMemory;
  /** Minibatch gradients to hand out over all threads (Infinity: a time budget only). */
  budget: number;
}

/** Per-thread counts, reported when the thread stops (normally or after an error). */
export interface ThreadStats {
  /** Gradients computed and offered for publication. */
  submitted: number;
  applied: number;
  /** Leashed-SGD: gradients given up after B + 1 failed publishes. */
  dropped: number;
  /** Reads that overlapped a write (possible torn reads). */
  overlapped: number;
  /** Reads that broke the objective's invariant (null when it has none). */
  invariantViolations: number | null;
  /** Failed compareExchange publishes (Leashed-SGD). */
  casFailures: number;
}

export type WorkerMessage =
  | { type: 'ready'; thread: number }
  | ({ type: 'rows' } & ThreadRows)
  | { type: 'done'; thread: number; stats: ThreadStats }
  /** Waiting at a checkpoint; its rows so far were sent before this, `stats` counts everything so far. */
  | { type: 'paused'; thread: number; stats: ThreadStats }
  | { type: 'error'; thread: number; message: string; stack?: string; stats: ThreadStats };
