import type { Batch, BatchSource } from '../../data/dataset.ts';
import type { GradientOracle, GradientResult } from '../../oracle/oracle.ts';
import type { GradientJobs } from './gradientJobs.ts';
import { GroupCalibration } from './groupCalibration.ts';

/** How the async engine evaluates gradients: one per update, or in-flight jobs together. */
export const GRADIENT_BATCHING = ['off', 'in-flight'] as const;
export type GradientBatching = (typeof GRADIENT_BATCHING)[number];

/**
 * The gradients of the async engine's jobs, computed in this thread.
 *
 * 'off': each gradient is computed when it is applied, one oracle call per update.
 * 'in-flight': when an applied job's gradient is not ready, the gradients of every in-flight job
 * not yet computed (up to `maxGroup`, and no more than the updates left in the run, the next due
 * first) are computed in one `oracle.gradients` pass and kept until their jobs are applied. Results
 * equal 'off' (same inputs, same oracle), whatever the grouping; only the number of device passes
 * changes. Keeps up to N gradients (N × D floats) in memory.
 *
 * Grouping pays where one pass costs little more than one gradient (a GPU's round trip); on a CPU
 * it can cost more. So the first passes time group sizes against each other (GroupCalibration) and
 * the run keeps the fastest (`groupUsed`: up to maxGroup, or 1 when no group was faster).
 */
export class InFlightGradients implements GradientJobs {
  private readonly thetas: Float32Array[];
  /** Each job's minibatch number, assembled only when its gradient is computed. */
  private readonly batches: Float64Array;
  /** The minibatch and gradient buffers of the one-by-one path (its result is used before the next take). */
  private scratch: Batch | undefined;
  private readonly g: Float32Array;
  /** Each worker's minibatch buffers for grouped passes and SSGD rounds (used up within the pass). */
  private readonly groupBatches: (Batch | undefined)[];
  private readonly due: Float64Array;
  private readonly ready: (GradientResult | undefined)[];
  passes = 0;
  computed = 0;
  private readonly calibration: GroupCalibration;

  constructor(
    private readonly oracle: GradientOracle,
    private readonly source: BatchSource,
    private readonly mode: GradientBatching,
    maxGroup: number,
    workers: number,
  ) {
    this.thetas = Array.from({ length: workers }, () => new Float32Array(oracle.dim));
    this.batches = new Float64Array(workers);
    this.g = new Float32Array(oracle.dim);
    this.groupBatches = new Array(workers);
    this.calibration = new GroupCalibration(mode === 'in-flight' ? maxGroup : 1);
    this.due = new Float64Array(workers);
    this.ready = new Array(workers);
  }

  /** The group size the calibration kept (null until decided; 1: no group was faster). */
  get groupUsed(): number | null {
    return this.mode === 'in-flight' ? this.calibration.decided : null;
  }

  buffer(i: number): Float32Array {
    return this.thetas[i];
  }

  sent(i: number, batch: number, _version: number, due: number): void {
    this.batches[i] = batch;
    this.due[i] = due;
    this.ready[i] = undefined;
  }

  async take(i: number, stepsLeft: number): Promise<GradientResult> {
    let result = this.ready[i];
    if (result === undefined) {
      // The last update's gradient is computed alone: nothing after it could use a group.
      const pass = stepsLeft > 1 ? this.calibration.next() : { size: 1, candidate: false };
      const t0 = performance.now();
      let computed = 1;
      if (pass.size > 1) {
        computed = await this.computeGroup(i, Math.min(pass.size, stepsLeft));
        result = this.ready[i]!;
      } else {
        this.scratch = this.source.at(this.batches[i], this.scratch);
        result = await this.oracle.gradient(this.thetas[i], this.scratch, this.g);
        this.passes++;
        this.computed++;
      }
      if (stepsLeft > 1) this.calibration.record(pass.candidate, (performance.now() - t0) / computed);
    }
    this.ready[i] = undefined;
    return result;
  }

  /** Computes the group of `first` and returns how many gradients it computed. */
  private async computeGroup(first: number, size: number): Promise<number> {
    const others: number[] = [];
    for (let j = 0; j < this.thetas.length; j++) if (j !== first && this.ready[j] === undefined) others.push(j);
    // The next due first: those are the next to be applied (ties by worker id).
    others.sort((a, b) => this.due[a] - this.due[b] || a - b);
    const group = [first, ...others.slice(0, size - 1)];
    const results = await this.many(group.map((j) => this.thetas[j]), group.map((j) => (this.groupBatches[j] = this.source.at(this.batches[j], this.groupBatches[j]))));
    group.forEach((j, k) => (this.ready[j] = results[k]));
    return group.length;
  }

  async round(theta: Float32Array, batches: number[]): Promise<GradientResult[]> {
    return this.many(batches.map(() => theta), batches.map((k, slot) => (this.groupBatches[slot] = this.source.at(k, this.groupBatches[slot]))));
  }

  private async many(thetas: Float32Array[], batches: Batch[]): Promise<GradientResult[]> {
    const results = this.oracle.gradients ? await this.oracle.gradients(thetas, batches) : await sequential(this.oracle, thetas, batches);
    this.passes += this.oracle.gradients ? 1 : batches.length;
    this.computed += batches.length;
    return results;
  }

  async close(): Promise<void> {}
}

async function sequential(oracle: GradientOracle, thetas: Float32Array[], batches: Batch[]): Promise<GradientResult[]> {
  const out: GradientResult[] = [];
  for (let k = 0; k < batches.length; k++) out.push(await oracle.gradient(thetas[k], batches[k]));
  return out;
}
