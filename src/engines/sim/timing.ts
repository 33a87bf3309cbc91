/** The order and simulated times at which workers' jobs finish. */
export interface Timing {
  /** Advance to the next finished job; read it from `worker` and `time`. */
  next(): void;
  worker: number;
  time: number;
  /** SSGD: the duration of one barrier round (every worker runs one job; the slowest sets it). */
  round(): number;
  /**
   * When worker i's job in flight finishes, in the units of the model (only its order matters):
   * the order in which in-flight jobs will be applied, so gradients can be computed ahead in that
   * order. Infinity for a job that never finishes within a finite schedule.
   */
  finishTime(worker: number): number;
  /** Kind and per-worker mean job times, for the run record. */
  describe(): Record<string, number | string | null>;
}
