/**
 * A staleness-adaptive step size α(τ) = α·s(τ) applied to an update's fresh gradient term
 * (ALGORITHMS.md §3). Engines call `observe(τ)` for every update (so data-driven kinds such as
 * TAIL-τ can build their staleness histogram during warm-up) and multiply the gradient by
 * `scale(τ)` before the base step. Both the simulated cluster and the threads engine use it.
 */
export interface StalenessScaler {
  /** s(τ): the multiplier of the base learning rate for an update of staleness τ. */
  scale(tau: number): number;
  /** Record the staleness of an applied update (call once per update, before or after scale). */
  observe(tau: number): void;
  /** Kind and parameters, for run records. */
  describe(): Record<string, unknown>;
}
