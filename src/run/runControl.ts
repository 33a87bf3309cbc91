/** A snapshot of a long run, for progress bars and notebook logs. */
export interface Progress {
  /** Updates applied so far. */
  step: number;
  /** Updates the run is budgeted for. */
  total: number;
  /** Latest minibatch loss (or a smoothed one). */
  loss: number;
  /** Seconds of wall time since the run started. */
  elapsedSec: number;
  /** Estimated seconds left. */
  etaSec: number;
  /** Free-form label (run id within a sweep, rule name…). */
  label?: string;
}

/**
 * What a caller passes to a long-running engine call besides its config: where to report progress
 * and how to stop it. On abort an engine stops after the update in flight and returns the rows it
 * has, with status "interrupted"; nothing finished is lost.
 */
export interface RunControl {
  onProgress?: (p: Progress) => void;
  /** Minimum seconds between onProgress calls (default 0.5). */
  progressIntervalSec?: number;
  signal?: AbortSignal;
}

/** Rate-limits progress reports and computes the ETA from the average pace so far. */
export class ProgressClock {
  private readonly start = performance.now();
  private last = -Infinity;

  constructor(private readonly control: RunControl | undefined, private readonly total: number, private readonly label?: string) {}

  elapsedSec(): number {
    return (performance.now() - this.start) / 1000;
  }

  tick(step: number, loss: number, force = false): void {
    const sink = this.control?.onProgress;
    if (!sink) return;
    const now = performance.now();
    const every = (this.control?.progressIntervalSec ?? 0.5) * 1000;
    if (!force && now - this.last < every) return;
    this.last = now;
    const elapsedSec = (now - this.start) / 1000;
    const etaSec = step > 0 ? (elapsedSec / step) * Math.max(0, this.total - step) : NaN;
    sink({ step, total: this.total, loss, elapsedSec, etaSec, label: this.label });
  }

  aborted(): boolean {
    return this.control?.signal?.aborted ?? false;
  }
}
