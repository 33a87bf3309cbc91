import type { Penalty } from './penalty.ts';

/** Stateless. */
export type StalenessAwareState = Record<string, never>;

/** SA: g ← g / max(1, τ). With a momentum base the damped g enters v. Logged divisor: max(1, τ). */
export const stalenessAware: Penalty<StalenessAwareState> = {
  needsGap: false,
  params: [],
  init: () => ({}),
  apply(_s, g, { tau }) {
    const divisor = Math.max(1, tau);
    if (divisor !== 1) for (let j = 0; j < g.length; j++) g[j] /= divisor;
    return { mean: divisor, max: divisor };
  },
};
