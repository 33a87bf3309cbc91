import { ColumnLog } from '../results/columnLog.ts';

/**
 * Columns of the updates table, one row per applied update (ALGORITHMS.md §1):
 * step (master version after it), worker (null for an SSGD round), staleness τ, gap_rmse ‖Δ‖₂/√D,
 * lr (η·s(τ): the schedule's rate times the staleness step size), penalty_mean / penalty_max (the
 * divisors the penalties applied: GA's G, SA's max(1, τ); 1 where none), sim_time, loss (the
 * minibatch loss of the applied gradient, at the parameters it was computed on), samples, epoch,
 * profile.
 */
export const SIM_UPDATE_COLUMNS = [
  'step', 'worker', 'staleness', 'gap_rmse', 'lr', 'penalty_mean', 'penalty_max',
  'sim_time', 'loss', 'samples', 'epoch', 'profile',
] as const;

export interface UpdateRow {
  step: number;
  worker: number | null;
  staleness: number;
  gapRmse: number;
  lr: number;
  penaltyMean: number;
  penaltyMax: number;
  simTime: number;
  loss: number;
  samples: number;
}

/**
 * The updates table plus running sums over *every* update (summaries do not depend on
 * `logEvery`, which keeps only every k-th row).
 */
export class UpdateLog {
  readonly log = new ColumnLog(SIM_UPDATE_COLUMNS);
  private lastLogged = 0;
  count = 0;
  stalenessSum = 0;
  stalenessMax = 0;
  gapSum = 0;
  penaltySum = 0;
  lastLoss = NaN;
  private pending: UpdateRow | null = null;

  constructor(private readonly every: number, private readonly trainSize: number, private readonly profile: string) {}

  record(row: UpdateRow): void {
    this.count++;
    this.stalenessSum += row.staleness;
    if (row.staleness > this.stalenessMax) this.stalenessMax = row.staleness;
    this.gapSum += row.gapRmse;
    this.penaltySum += row.penaltyMean;
    this.lastLoss = row.loss;
    if (this.count === 1 || this.count % this.every === 0) this.write(row);
    else this.pending = row;
  }

  /** Write the latest row if `logEvery` skipped it (the last and the diverging row are always kept). */
  flush(): void {
    if (this.pending && this.pending.step > this.lastLogged) this.write(this.pending);
    this.pending = null;
  }

  private write(r: UpdateRow): void {
    this.lastLogged = r.step;
    this.pending = null;
    this.log.push({
      step: r.step,
      worker: r.worker,
      staleness: r.staleness,
      gap_rmse: r.gapRmse,
      lr: r.lr,
      penalty_mean: r.penaltyMean,
      penalty_max: r.penaltyMax,
      sim_time: r.simTime,
      loss: r.loss,
      samples: r.samples,
      epoch: r.samples / this.trainSize,
      profile: this.profile,
    });
  }
}
