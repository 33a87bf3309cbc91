import { ColumnLog, type Cell } from '../results/columnLog.ts';

/**
 * The columns every engine's updates table has, one row per applied update (ALGORITHMS.md §1):
 * step (the version it produced), worker (null for an SSGD round), staleness τ, gap_rmse
 * ‖Δ‖₂/√D (null where the engine cannot measure it), lr (η·s(τ): the schedule's rate times the
 * staleness step size), scale (s(τ); 1 without one), penalty_mean / penalty_max (the divisors the
 * transforms applied: GA's G, SA's max(1, τ); 1 where none), loss (the minibatch loss of the
 * applied gradient, at the parameters it was computed on), samples, epoch, profile. Engines add
 * their own columns before profile (sim_time; wall_time, cas_attempts, torn).
 */
export const UPDATE_COLUMNS = ['step', 'worker', 'staleness', 'gap_rmse', 'lr', 'scale', 'penalty_mean', 'penalty_max', 'loss', 'samples', 'epoch'] as const;

/** Updates per window of the minibatch-loss track (a window's mean is far less noisy than one minibatch). */
export const LOSS_WINDOW = 10;

/** The mean minibatch loss of the first window of updates and of the lowest one, with the step that ended it. */
export interface LossTrack {
  first: number;
  lowest: number;
  lowestStep: number;
}

export interface UpdateRow {
  step: number;
  worker: number | null;
  staleness: number;
  gapRmse: number | null;
  lr: number;
  scale: number;
  penaltyMean: number;
  penaltyMax: number;
  loss: number;
  samples: number;
}

/** Staleness, gap and penalty over every update of a run (not only the logged rows). */
export interface UpdateSummary {
  staleness_mean: number | null;
  staleness_p50: number | null;
  staleness_p90: number | null;
  staleness_max: number | null;
  gap_rmse_mean: number | null;
  penalty_mean: number | null;
  scale_mean: number | null;
}

export interface UpdateLogSnapshot<E extends string = string> {
  rows: Record<string, Cell[]>;
  figures: Record<'count' | 'lastLoss' | 'stalenessSum' | 'stalenessMax' | 'gapSum' | 'gapCount' | 'penaltySum' | 'scaleSum' | 'lastLogged' | 'windowSum' | 'windowCount', number>;
  counts: Float64Array;
  pending: { row: UpdateRow; extra: Record<E, Cell> } | null;
  lossTrack: LossTrack | null;
}

/**
 * The updates table plus running figures over *every* update (summaries do not depend on
 * `logEvery`, which keeps only every k-th row; the first, the last and a diverging row are kept).
 */
export class UpdateLog<E extends string = never> {
  readonly log: ColumnLog;
  count = 0;
  lastLoss = NaN;
  private stalenessSum = 0;
  /** counts[τ]: staleness is a non-negative integer, so percentiles are exact from this. */
  private counts = new Float64Array(64);
  private stalenessMax = 0;
  private gapSum = 0;
  private gapCount = 0;
  private penaltySum = 0;
  private scaleSum = 0;
  private lastLogged = 0;
  private pending: { row: UpdateRow; extra: Record<E, Cell> } | null = null;
  private windowSum = 0;
  private windowCount = 0;
  /** Whether and how far the training loss fell (see collapseOf); null before the first full window. */
  lossTrack: LossTrack | null = null;

  constructor(
    private readonly extra: readonly E[],
    private readonly every: number,
    private readonly trainSize: number,
    private readonly profile: string,
  ) {
    this.log = new ColumnLog([...UPDATE_COLUMNS, ...extra, 'profile']);
  }

  record(row: UpdateRow, extra: Record<E, Cell>): void {
    this.count++;
    const t = row.staleness;
    this.stalenessSum += t;
    if (t > this.stalenessMax) this.stalenessMax = t;
    if (t >= this.counts.length) {
      const grown = new Float64Array(Math.max(2 * this.counts.length, t + 1));
      grown.set(this.counts);
      this.counts = grown;
    }
    this.counts[t]++;
    if (row.gapRmse !== null) {
      this.gapSum += row.gapRmse;
      this.gapCount++;
    }
    this.penaltySum += row.penaltyMean;
    this.scaleSum += row.scale;
    this.lastLoss = row.loss;
    if (Number.isFinite(row.loss)) this.trackLoss(row.loss, row.step);
    if (this.count === 1 || this.count % this.every === 0) this.write(row, extra);
    else this.pending = { row, extra };
  }

  private trackLoss(loss: number, step: number): void {
    this.windowSum += loss;
    if (++this.windowCount < LOSS_WINDOW) return;
    const mean = this.windowSum / this.windowCount;
    this.windowSum = 0;
    this.windowCount = 0;
    if (this.lossTrack === null) this.lossTrack = { first: mean, lowest: mean, lowestStep: step };
    else if (mean < this.lossTrack.lowest) Object.assign(this.lossTrack, { lowest: mean, lowestStep: step });
  }

  /** Write the latest row if `logEvery` skipped it (the last and the diverging row are always kept). */
  flush(): void {
    if (this.pending && this.pending.row.step > this.lastLogged) this.write(this.pending.row, this.pending.extra);
    this.pending = null;
  }

  private write(r: UpdateRow, extra: Record<E, Cell>): void {
    this.lastLogged = r.step;
    this.pending = null;
    this.log.push({
      step: r.step,
      worker: r.worker,
      staleness: r.staleness,
      gap_rmse: r.gapRmse,
      lr: r.lr,
      scale: r.scale,
      penalty_mean: r.penaltyMean,
      penalty_max: r.penaltyMax,
      loss: Number.isFinite(r.loss) ? r.loss : null,
      samples: r.samples,
      epoch: r.samples / this.trainSize,
      ...extra,
      profile: this.profile,
    });
  }

  /** Everything the log holds (rows and running figures) as plain data, for a checkpoint. */
  snapshot(): UpdateLogSnapshot<E> {
    const { count, lastLoss, stalenessSum, stalenessMax, gapSum, gapCount, penaltySum, scaleSum, lastLogged, windowSum, windowCount } = this;
    return {
      rows: this.log.snapshot(),
      figures: { count, lastLoss, stalenessSum, stalenessMax, gapSum, gapCount, penaltySum, scaleSum, lastLogged, windowSum, windowCount },
      counts: this.counts.slice(),
      pending: this.pending ? structuredClone(this.pending) : null,
      lossTrack: this.lossTrack ? { ...this.lossTrack } : null,
    };
  }

  /** Continue from a snapshot (into a fresh log of the same columns): later records extend it as if never stopped. */
  restore(s: UpdateLogSnapshot<E>): void {
    this.log.restore(s.rows);
    Object.assign(this, s.figures);
    this.counts = s.counts.slice();
    this.pending = s.pending ? structuredClone(s.pending) : null;
    this.lossTrack = s.lossTrack ? { ...s.lossTrack } : null;
  }

  /** The staleness at quantile q (nearest rank). */
  private quantile(q: number): number {
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let t = 0; t < this.counts.length; t++) {
      seen += this.counts[t];
      if (seen >= rank) return t;
    }
    return this.stalenessMax;
  }

  summary(): UpdateSummary {
    const n = this.count;
    if (n === 0) return { staleness_mean: null, staleness_p50: null, staleness_p90: null, staleness_max: null, gap_rmse_mean: null, penalty_mean: null, scale_mean: null };
    return {
      staleness_mean: this.stalenessSum / n,
      staleness_p50: this.quantile(0.5),
      staleness_p90: this.quantile(0.9),
      staleness_max: this.stalenessMax,
      gap_rmse_mean: this.gapCount ? this.gapSum / this.gapCount : null,
      penalty_mean: this.penaltySum / n,
      scale_mean: this.scaleSum / n,
    };
  }
}
