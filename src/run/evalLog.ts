import type { SplitName } from '../data/dataset.ts';
import type { Evaluation, GradientOracle } from '../oracle/oracle.ts';
import { ColumnLog } from '../results/columnLog.ts';
import type { TargetMetric } from './configFields.ts';

/**
 * The columns every engine's evals table has, one row per evaluation of one split; the engine's
 * clock (sim_time or wall_time) follows samples. A non-finite loss (a diverged θ) is null.
 */
export const EVAL_COLUMNS = ['step', 'epoch', 'samples', 'split', 'loss', 'accuracy'] as const;

/** When an evaluation first reached the run's target. */
export interface TargetHit {
  step: number;
  time: number;
}

/** Evaluations of a run's parameters at step 0, every `evalEvery` updates and at the end, and the target check. */
export class EvalLog {
  readonly log: ColumnLog;
  readonly final: Partial<Record<SplitName, Evaluation>> = {};
  bestTestAccuracy: number | null = null;
  targetHit: TargetHit | null = null;
  private lastStep = -1;

  constructor(
    private readonly oracle: GradientOracle,
    private readonly opts: {
      splits: readonly SplitName[];
      every: number | null;
      profile: string;
      /** The engine's clock column: simulated time or wall-clock seconds. */
      clock: 'sim_time' | 'wall_time';
      target: { metric: TargetMetric; value: number } | null;
    },
  ) {
    this.log = new ColumnLog([...EVAL_COLUMNS.slice(0, 3), opts.clock, ...EVAL_COLUMNS.slice(3), 'profile']);
  }

  due(step: number): boolean {
    return this.opts.every !== null && step % this.opts.every === 0;
  }

  /** Evaluate θ at this point unless this step was already evaluated; true when the target is reached now or before. */
  async run(theta: Float32Array, step: number, samples: number, time: number): Promise<boolean> {
    if (step === this.lastStep) return this.targetHit !== null;
    this.lastStep = step;
    for (const split of this.opts.splits) {
      const e = await this.oracle.evaluate(theta, split);
      this.final[split] = e;
      if (split === 'test' && e.accuracy !== null && Number.isFinite(e.accuracy)) this.bestTestAccuracy = Math.max(this.bestTestAccuracy ?? -Infinity, e.accuracy);
      this.log.push({
        step,
        epoch: samples / this.oracle.trainSize,
        samples,
        [this.opts.clock]: time,
        split,
        loss: Number.isFinite(e.loss) ? e.loss : null,
        accuracy: e.accuracy,
        profile: this.opts.profile,
      });
    }
    const t = this.opts.target;
    if (t && !this.targetHit) {
      const e = this.final[t.metric === 'train_loss' ? 'train' : 'test'];
      const value = t.metric === 'test_accuracy' ? e?.accuracy : e?.loss;
      const reached = value !== null && value !== undefined && Number.isFinite(value) && (t.metric === 'test_accuracy' ? value >= t.value : value <= t.value);
      if (reached) this.targetHit = { step, time };
    }
    return this.targetHit !== null;
  }

  /** Loss of the last evaluation on the train split, else the test split (for progress reports). */
  get lastLoss(): number {
    return this.final.train?.loss ?? this.final.test?.loss ?? NaN;
  }
}
