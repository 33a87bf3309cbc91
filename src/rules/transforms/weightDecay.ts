import { z } from 'zod';
import type { TransformDef } from '../ruleTypes.ts';

const params = z
  .object({
    weightDecay: z.number().min(0).finite(),
    /** 'master' (default): the master's current θ (Θ for DANA-Slim); 'worker': x_i, as a worker-side L2 term would. */
    weightDecayAt: z.enum(['master', 'worker']).default('master'),
  })
  .strict();

/**
 * Weight decay at the master (ALGORITHMS.md §2, assumption: the GA authors' code): g ← g + wd·θ.
 * Listed first, so that the penalties after it also divide it.
 */
export const weightDecayTransform: TransformDef<z.output<typeof params>, null> = {
  name: 'weight-decay',
  params,
  description: 'g ← g + wd·θ (θ the master\'s parameters, or x_i with weightDecayAt "worker")',
  needsGap: false,
  stalenessOnly: false,
  init: () => null,
  apply(_s, g, ctx, p) {
    const wd = p.weightDecay;
    if (wd === 0) return;
    const at = p.weightDecayAt === 'master' ? ctx.master : ctx.x;
    for (let j = 0; j < g.length; j++) g[j] += wd * at[j];
  },
};
