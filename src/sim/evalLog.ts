import type { Evaluation, GradientOracle } from '../oracle/oracle.ts';
import { ColumnLog } from '../results/columnLog.ts';
import type { SplitName } from '../data/dataset.ts';

/** Columns of the evals table: one row per evaluation of one split. */
export const SIM_EVAL_COLUMNS = ['step', 'epoch', 'samples', 'sim_time', 'split', 'loss', 'accuracy', 'profile'] as const;

/** Evaluations of the run's parameters at step 0, every `evalEvery` updates and at the end. */
export class EvalLog {
  readonly log = new ColumnLog(SIM_EVAL_COLUMNS);
  readonly final: Partial<Record<SplitName, Evaluation>> = {};
  private lastStep = -1;

  constructor(
    private readonly oracle: GradientOracle,
    private readonly splits: readonly SplitName[],
    private readonly every: number | null,
    private readonly profile: string,
  ) {}

  due(step: number): boolean {
    return this.every !== null && step % this.every === 0;
  }

  /** Evaluate θ at this point unless this step was already evaluated. */
  async run(theta: Float32Array, step: number, samples: number, simTime: number): Promise<void> {
    if (step === this.lastStep) return;
    this.lastStep = step;
    for (const split of this.splits) {
      const e = await this.oracle.evaluate(theta, split);
      this.final[split] = e;
      this.log.push({
        step,
        epoch: samples / this.oracle.trainSize,
        samples,
        sim_time: simTime,
        split,
        loss: e.loss,
        accuracy: e.accuracy,
        profile: this.profile,
      });
    }
  }
}
