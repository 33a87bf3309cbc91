import type { SplitName } from '../data/dataset.ts';
import type { Evaluation, GradientOracle } from '../oracle/oracle.ts';
import { ColumnLog, type Cell } from '../results/columnLog.ts';
import type { TargetMetric } from './configFields.ts';

/**
 * The columns every engine's evals table has, one row per evaluation of one split at one point;
 * the engine's clock (sim_time or wall_time) follows samples. A non-finite loss (a diverged θ) is
 * null. `params` says which parameters were evaluated: 'master' (θ) or 'look-ahead' (what the
 * master sends now, e.g. DANA's θ − ηγS).
 */
export const EVAL_COLUMNS = ['step', 'epoch', 'samples', 'split', 'params', 'loss', 'accuracy'] as const;

/** Which parameters an evaluation is of. */
export type EvalParams = 'master' | 'look-ahead';

/** When an evaluation first reached the run's target. */
export interface TargetHit {
  step: number;
  time: number;
}

export interface EvalLogSnapshot {
  rows: Record<string, Cell[]>;
  final: Partial<Record<SplitName, Evaluation>>;
  finalSecondary: Partial<Record<SplitName, Evaluation>>;
  bestTestAccuracy: number | null;
  targetHit: TargetHit | null;
  testAccuracy: { step: number; accuracy: number }[];
  lastStep: number;
  lastSecondaryStep: number;
}

/** Evaluations of a run's parameters at step 0, every `evalEvery` updates and at the end, and the target check. */
export class EvalLog {
  readonly log: ColumnLog;
  readonly final: Partial<Record<SplitName, Evaluation>> = {};
  bestTestAccuracy: number | null = null;
  targetHit: TargetHit | null = null;
  /** The last evaluation of each split at the secondary point (e.g. the look-ahead beside the master). */
  readonly finalSecondary: Partial<Record<SplitName, Evaluation>> = {};
  /** Every finite test accuracy in step order (for collapseOf). */
  readonly testAccuracy: { step: number; accuracy: number }[] = [];
  private lastStep = -1;
  private lastSecondaryStep = -1;

  constructor(
    private readonly oracle: GradientOracle,
    private readonly opts: {
      splits: readonly SplitName[];
      every: number | null;
      profile: string;
      /** The engine's clock column: simulated time or wall-clock seconds. */
      clock: 'sim_time' | 'wall_time';
      target: { metric: TargetMetric; value: number } | null;
      /** The point whose evaluations give final, best and the target ('master' by default). */
      primary?: EvalParams;
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
      const e = await this.evaluate(theta, split, step, samples, time, this.opts.primary ?? 'master');
      this.final[split] = e;
      if (split === 'test' && e.accuracy !== null && Number.isFinite(e.accuracy)) {
        this.bestTestAccuracy = Math.max(this.bestTestAccuracy ?? -Infinity, e.accuracy);
        this.testAccuracy.push({ step, accuracy: e.accuracy });
      }
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

  /**
   * Evaluate a second point of the same step (e.g. the look-ahead beside the master): logged with
   * its `params`, kept in finalSecondary, never used for the target. Call it after run() of the step.
   * When the point has the same bits as the one run() evaluated (a rule whose look-ahead is θ), its
   * evaluations are those, logged again under `params` rather than computed twice.
   */
  async runSecondary(theta: Float32Array, params: EvalParams, step: number, samples: number, time: number, primaryTheta?: Float32Array): Promise<void> {
    if (step === this.lastSecondaryStep) return;
    this.lastSecondaryStep = step;
    const same = primaryTheta !== undefined && step === this.lastStep && sameBits(theta, primaryTheta);
    for (const split of this.opts.splits) {
      const known = same ? this.final[split] : undefined;
      this.finalSecondary[split] = known ? this.logEvaluation(known, split, step, samples, time, params) : await this.evaluate(theta, split, step, samples, time, params);
    }
  }

  private async evaluate(theta: Float32Array, split: SplitName, step: number, samples: number, time: number, params: EvalParams): Promise<Evaluation> {
    return this.logEvaluation(await this.oracle.evaluate(theta, split), split, step, samples, time, params);
  }

  private logEvaluation(e: Evaluation, split: SplitName, step: number, samples: number, time: number, params: EvalParams): Evaluation {
    this.log.push({
      step,
      epoch: samples / this.oracle.trainSize,
      samples,
      [this.opts.clock]: time,
      split,
      params,
      loss: Number.isFinite(e.loss) ? e.loss : null,
      accuracy: e.accuracy,
      profile: this.opts.profile,
    });
    return e;
  }

  /** The evaluations so far as plain data, for a checkpoint. */
  snapshot(): EvalLogSnapshot {
    return structuredClone({
      rows: this.log.snapshot(),
      final: this.final,
      finalSecondary: this.finalSecondary,
      bestTestAccuracy: this.bestTestAccuracy,
      targetHit: this.targetHit,
      testAccuracy: this.testAccuracy,
      lastStep: this.lastStep,
      lastSecondaryStep: this.lastSecondaryStep,
    });
  }

  /** Continue from a snapshot (into a fresh log of the same run): a resumed run's evaluations extend it. */
  restore(s: EvalLogSnapshot): void {
    const c = structuredClone(s);
    this.log.restore(c.rows);
    Object.assign(this.final, c.final);
    Object.assign(this.finalSecondary, c.finalSecondary);
    this.testAccuracy.push(...c.testAccuracy);
    this.bestTestAccuracy = c.bestTestAccuracy;
    this.targetHit = c.targetHit;
    this.lastStep = c.lastStep;
    this.lastSecondaryStep = c.lastSecondaryStep;
  }

  /** Loss of the last evaluation on the train split, else the test split (for progress reports). */
  get lastLoss(): number {
    return this.final.train?.loss ?? this.final.test?.loss ?? NaN;
  }
}

/** Whether two vectors hold the same bits (NaN payloads included): equal θ evaluate equally. */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  const x = new Int32Array(a.buffer, a.byteOffset, a.length);
  const y = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  return true;
}
