import type { GradientOracle } from '../oracle/oracle.ts';
import { problemKey, resolveProblem, type ProblemConfig, type ResolvedProblem } from '../run/problem.ts';

/**
 * Model problems resolved once and lent to the runs on them (loading a dataset and building a
 * model costs far more than a small run). A problem is lent to one run at a time, so a worker
 * running K jobs at once holds at most K copies of it. Built-in objectives are cheap and seeded per
 * run: those runs resolve their own (acquire gives undefined).
 */
export class ProblemPool {
  private readonly free = new Map<string, ResolvedProblem[]>();
  private readonly keys = new Map<ResolvedProblem, string>();
  private readonly initialState = new Map<GradientOracle, Float32Array>();

  /** `oracle`: every run trains on this one object (local sweeps only). */
  constructor(private readonly oracle?: GradientOracle) {}

  async acquire(config: ProblemConfig): Promise<ResolvedProblem | undefined> {
    const key = this.oracle ? 'given' : problemKey(config);
    if (key === null) return undefined;
    let r = this.free.get(key)?.pop();
    if (!r) {
      r = await resolveProblem(config, { oracle: this.oracle });
      this.keys.set(r, key);
    }
    // A reused oracle carries the previous run's batch-norm statistics: start from the initial ones.
    const st = r.oracle.state;
    if (!this.initialState.has(r.oracle)) this.initialState.set(r.oracle, st.slice());
    else st.set(this.initialState.get(r.oracle)!);
    return r;
  }

  release(r: ResolvedProblem | undefined): void {
    if (!r) return;
    const key = this.keys.get(r)!;
    const list = this.free.get(key) ?? [];
    list.push(r);
    this.free.set(key, list);
  }

  dispose(): void {
    for (const r of this.keys.keys()) if (r.owned) r.oracle.dispose();
    this.keys.clear();
    this.free.clear();
  }
}
