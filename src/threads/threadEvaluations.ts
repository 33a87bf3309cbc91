import { ColumnLog } from '../results/columnLog.ts';
import type { Evaluation } from '../oracle/oracle.ts';
import type { ParameterStore } from './parameterStore.ts';
import type { ThreadObjective } from './threadObjective.ts';
import type { ThreadsConfig } from './threadsConfig.ts';

/** Columns of the evals table: one row per (snapshot, split); a non-finite loss (diverged θ) is null. */
export const threadEvalColumns = ['step', 'epoch', 'samples', 'wall_time', 'split', 'loss', 'accuracy'] as const;

/** Evaluations of θ snapshots on the main thread, and the target check. */
export class Evaluations {
  readonly log = new ColumnLog(threadEvalColumns);
  lastLoss = NaN;
  final: { train?: Evaluation; test?: Evaluation } = {};
  private readonly theta: Float32Array;

  constructor(
    private readonly config: ThreadsConfig,
    private readonly objective: ThreadObjective,
    private readonly store: ParameterStore,
  ) {
    this.theta = new Float32Array(objective.dim);
  }

  /** Evaluate the current θ on both splits; returns the (first) time and step the target was met. */
  async run(sec: number, hit: { sec: number; step: number } | null): Promise<{ sec: number; step: number } | null> {
    const step = this.store.snapshot(this.theta);
    for (const split of ['train', 'test'] as const) {
      const e = await this.objective.evaluate(this.theta, split);
      this.final[split] = e;
      const samples = step * this.config.batchSize;
      const epoch = this.objective.trainSize ? samples / this.objective.trainSize : null;
      this.log.push({ step, epoch, samples, wall_time: sec, split, loss: Number.isFinite(e.loss) ? e.loss : null, accuracy: e.accuracy });
    }
    this.lastLoss = this.final.train!.loss;
    const target = this.config.target;
    if (hit || !target) return hit;
    const value =
      target.metric === 'train_loss' ? this.final.train!.loss : target.metric === 'test_loss' ? this.final.test!.loss : this.final.test!.accuracy;
    const reached = value !== null && (target.metric === 'test_accuracy' ? value >= target.value : value <= target.value);
    return reached ? { sec, step } : null;
  }
}
