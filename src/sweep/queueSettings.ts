/** How a sweep uses its queue (the URL alone takes the defaults). */
export interface QueueSettings {
  /** redis://[[user]:password@]host[:port][/db] */
  url: string;
  /** The BullMQ queue (default "stalelab"); workers started with the same name take the runs. */
  name?: string;
  /** outDir is on a filesystem every worker sees at the same path: workers write the runs there themselves. */
  sharedDir?: boolean;
  /** Attempts per run before it counts as failed (default 3); the delay before retry k is backoffMs · 2^(k−1). */
  attempts?: number;
  /** Delay before the first retry of a failed run (ms, default 10 000). */
  backoffMs?: number;
  /** Besides following the queue's events, check every unfinished run this often (ms, default 2000). */
  reconcileMs?: number;
  /** Called whenever the counts change (and at least every reconcileMs). */
  onStatus?: (s: QueueStatus) => void;
}

/** Where a queue sweep stands. */
export interface QueueStatus {
  total: number;
  /** Runs in DIR (including those that were there before the sweep started). */
  done: number;
  running: number;
  /** Waiting for a worker, or for the backoff delay of a retry. */
  queued: number;
  /** Failed for good (all attempts). */
  failed: number;
  /** Runs started again: after a failed attempt, or after their worker died (a stalled job). */
  retried: number;
  /** Seconds to go at the pace of this sweep so far (NaN before the first run ends). */
  etaSec: number;
  /** False while Redis cannot be reached (the sweep waits for it). */
  redisUp: boolean;
}

export interface QueueSweepSummary {
  /** Jobs this sweep added (runs neither in DIR nor already in the queue). */
  enqueued: number;
  /** Runs found in the queue already (a resubmitted sweep follows them rather than adding them twice). */
  attached: number;
  /** Runs started again (failed attempts, stalled jobs). */
  retried: number;
  /** Jobs enqueued again because the queue had lost them (a Redis without persistence restarted, say). */
  requeued: number;
  /** Runs that failed for good, with the error of their last attempt; they are not in DIR or the tables. */
  failed: { index: number; runId: string; attempts: number; error: string }[];
}

/** A timer to race against, cleared once the race is over (a pending one would keep the process alive). */
