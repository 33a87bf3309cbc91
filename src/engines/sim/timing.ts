/** The order and simulated times at which workers' jobs finish. */
export interface Timing {
  /** Advance to the next finished job; read it from `worker` and `time`. */
  next(): void;
  worker: number;
  time: number;
  /** SSGD: the duration of one barrier round (every worker runs one job; the slowest sets it). */
  round(): number;
  /** Kind and per-worker mean job times, for the run record. */
  describe(): Record<string, number | string | null>;
}
