import { z } from 'zod';
import { divideBy } from '../bases/thetaOps.ts';
import type { TransformDef } from '../ruleTypes.ts';

/** SA: g ← g / max(1, τ). With a momentum base the damped g enters v. Logged divisor: max(1, τ). */
export const stalenessAwareTransform: TransformDef<Record<string, never>, null> = {
  name: 'staleness-aware',
  params: z.object({}).strict(),
  description: 'g ← g / max(1, τ)',
  needsGap: false,
  stalenessOnly: true,
  init: () => null,
  apply(_s, g, { tau }) {
    const divisor = Math.max(1, tau);
    if (divisor !== 1) divideBy(g, divisor);
    return { divisorMean: divisor, divisorMax: divisor };
  },
};
