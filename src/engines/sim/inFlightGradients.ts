import type { Batch, BatchSource } from '../../data/dataset.ts';
import type { GradientOracle, GradientResult } from '../../oracle/oracle.ts';
import type { GradientJobs } from './gradientJobs.ts';

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
 * it can cost more. So the first passes alternate grouped and single ones, timed per gradient, and
 * the run keeps the faster (`groupUsed`: maxGroup, or 1 after falling back).
 */
export class InFlightGradients implements GradientJobs {
  private readonly thetas: Float32Array[];
  /** Each job's minibatch number, assembled only when its gradient is computed. */
  private readonly batches: Float64Array;
  /** The minibatch and gradient buffers of the one-by-one path (its result is used before the next take). */
  private scratch: Batch | undefined;
  private readonly g: Float32Array;
  /** Each worker's minibatch buffers for grouped passes (a group is used up within its pass). */
  private readonly groupBatches: (Batch | undefined)[];
  private readonly due: Float64Array;
  private readonly ready: (GradientResult | undefined)[];
  passes = 0;
  computed = 0;
  /** The group size the calibration kept (null until decided; 1: grouping was not faster). */
  groupUsed: number | null = null;
  private readonly calibration = { grouped: [] as number[], single: [] as number[] };

  constructor(
    private readonly oracle: GradientOracle,
    private readonly source: BatchSource,
    private readonly mode: GradientBatching,
    private readonly maxGroup: number,
    workers: number,
  ) {
    this.thetas = Array.from({ length: workers }, () => new Float32Array(oracle.dim));
    this.batches = new Float64Array(workers);
    this.g = new Float32Array(oracle.dim);
    this.groupBatches = new Array(workers);
    this.due = new Float64Array(workers);
    this.ready = new Array(workers);
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
      const grouping = this.mode === 'in-flight' && this.maxGroup > 1 && stepsLeft > 1;
      const c = this.calibration;
      const calibrating = grouping && this.groupUsed === null;
      const grouped = grouping && this.groupUsed !== 1 && (!calibrating || c.grouped.length <= c.single.length);
      const t0 = performance.now();
      if (grouped) {
        const size = await this.computeGroup(i, Math.min(this.maxGroup, stepsLeft));
        result = this.ready[i]!;
        if (calibrating) c.grouped.push((performance.now() - t0) / size);
      } else {
        this.scratch = this.source.at(this.batches[i], this.scratch);
        result = await this.oracle.gradient(this.thetas[i], this.scratch, this.g);
        this.passes++;
        this.computed++;
        if (calibrating) c.single.push(performance.now() - t0);
      }
      if (calibrating && c.grouped.length >= CALIBRATION_PASSES && c.single.length >= CALIBRATION_PASSES) {
        this.groupUsed = median(c.grouped) < GROUPING_MARGIN * median(c.single) ? this.maxGroup : 1;
      }
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
    return this.many(batches.map(() => theta), batches.map((k) => this.source.at(k)));
  }

  private async many(thetas: Float32Array[], batches: Batch[]): Promise<GradientResult[]> {
    const results = this.oracle.gradients ? await this.oracle.gradients(thetas, batches) : await sequential(this.oracle, thetas, batches);
    this.passes += this.oracle.gradients ? 1 : batches.length;
    this.computed += batches.length;
    return results;
  }

  async close(): Promise<void> {}
}

/** Timed passes of each kind before the faster is kept (the first of each warms up the kernels). */
const CALIBRATION_PASSES = 6;

/**
 * Grouping is kept only when its calibrated time per gradient is clearly lower: a group holds
 * its gradients and minibatches until they are applied, which costs memory traffic and garbage
 * collection the short calibration does not see (tfjs on wasm kept groups that were 5–15 %
 * slower over a whole run when any gain counted).
 */
const GROUPING_MARGIN = 0.9;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function sequential(oracle: GradientOracle, thetas: Float32Array[], batches: Batch[]): Promise<GradientResult[]> {
  const out: GradientResult[] = [];
  for (let k = 0; k < batches.length; k++) out.push(await oracle.gradient(thetas[k], batches[k]));
  return out;
}
