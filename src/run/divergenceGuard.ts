/** What ends a run as diverged: NaN/Inf in the loss or θ, or a loss above the bound. */
export class DivergenceGuard {
  private bound: number;
  reason = '';

  /** `setting`: 'auto' = 1000 × max(1, |first loss|), a number = that bound, 'off' = no bound. */
  constructor(private readonly setting: 'auto' | 'off' | number) {
    this.bound = typeof setting === 'number' ? setting : Infinity;
  }

  get limit(): number {
    return this.bound;
  }

  /** Continue with the bound a resumed run had ('auto' fixes it from the first loss, which is not seen again). */
  restore(limit: number): void {
    this.bound = limit;
  }

  /** True when this update diverged; `checksum` is Σθ after it (finite iff θ is). */
  diverged(loss: number, checksum: number): boolean {
    if (this.setting === 'auto' && this.bound === Infinity && Number.isFinite(loss)) this.bound = 1000 * Math.max(1, Math.abs(loss));
    if (!Number.isFinite(loss)) this.reason = `minibatch loss is ${loss}`;
    else if (!Number.isFinite(checksum)) this.reason = 'θ has a NaN or infinite entry';
    else if (loss > this.bound) this.reason = `minibatch loss ${loss} exceeds the divergence bound ${this.bound}`;
    else return false;
    return true;
  }
}
