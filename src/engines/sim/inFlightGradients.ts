import type { Batch } from '../../data/dataset.ts';
import type { GradientOracle, GradientResult } from '../../oracle/oracle.ts';

/** How the async engine evaluates gradients: one per update, or in-flight jobs together. */
export const GRADIENT_BATCHING = ['off', 'in-flight'] as const;
export type GradientBatching = (typeof GRADIENT_BATCHING)[number];

/**
 * The gradients of the async engine's in-flight jobs (ALGORITHMS.md §1: a gradient depends only
 * on the parameters and minibatch fixed when its job was sent, so it may be computed any time
 * between send and apply).
 *
 * 'off': each gradient is computed when it is applied, one oracle call per update.
 * 'in-flight': when an applied job's gradient is not ready, the gradients of every in-flight job
 * not yet computed (up to `maxGroup`, and no more than the updates left in the run, earliest sent
 * first) are computed in one `oracle.gradients` pass and kept until their jobs are applied. Results
 * equal 'off' (same inputs, same oracle), whatever the grouping; only the number of device passes
 * changes. Keeps up to N gradients (N × D floats) in memory.
 */
export class InFlightGradients {
  private readonly thetas: Float32Array[];
  private readonly batches: Batch[];
  private readonly sentAt: Float64Array;
  private readonly ready: (GradientResult | undefined)[];
  /** Oracle passes made and gradients computed (for benchmarks and the run record). */
  passes = 0;
  computed = 0;

  constructor(
    private readonly oracle: GradientOracle,
    private readonly mode: GradientBatching,
    private readonly maxGroup: number,
    workers: number,
  ) {
    this.thetas = new Array(workers);
    this.batches = new Array(workers);
    this.sentAt = new Float64Array(workers);
    this.ready = new Array(workers);
  }

  /**
   * Worker i's new job. `theta` must stay unchanged until the job's gradient is taken (the
   * engine rewrites it only after applying the job).
   */
  sent(i: number, theta: Float32Array, batch: Batch, version: number): void {
    this.thetas[i] = theta;
    this.batches[i] = batch;
    this.sentAt[i] = version;
    this.ready[i] = undefined;
  }

  /** The gradient of worker i's job, which is being applied; `stepsLeft` counts this update too. */
  async take(i: number, stepsLeft: number): Promise<GradientResult> {
    let result = this.ready[i];
    if (result === undefined) {
      if (this.mode === 'off' || this.maxGroup === 1 || stepsLeft <= 1) {
        result = await this.oracle.gradient(this.thetas[i], this.batches[i]);
        this.passes++;
        this.computed++;
      } else {
        await this.computeGroup(i, Math.min(this.maxGroup, stepsLeft));
        result = this.ready[i]!;
      }
    }
    this.ready[i] = undefined;
    return result;
  }

  private async computeGroup(first: number, size: number): Promise<void> {
    const others: number[] = [];
    for (let j = 0; j < this.thetas.length; j++) if (j !== first && this.ready[j] === undefined) others.push(j);
    // Earliest sent first: those are likely the next to be applied (ties by worker id).
    others.sort((a, b) => this.sentAt[a] - this.sentAt[b] || a - b);
    const group = [first, ...others.slice(0, size - 1)];
    const thetas = group.map((j) => this.thetas[j]);
    const batches = group.map((j) => this.batches[j]);
    const results = this.oracle.gradients
      ? await this.oracle.gradients(thetas, batches)
      : await sequential(group.length, (k) => this.oracle.gradient(thetas[k], batches[k]));
    group.forEach((j, k) => (this.ready[j] = results[k]));
    this.passes++;
    this.computed += group.length;
  }
}

async function sequential(n: number, f: (k: number) => Promise<GradientResult>): Promise<GradientResult[]> {
  const out: GradientResult[] = [];
  for (let k = 0; k < n; k++) out.push(await f(k));
  return out;
}
