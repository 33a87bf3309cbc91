import { stalenessScaler, stalenessScalerCells } from '../../stepsize/makeStalenessScaler.ts';
import type { StalenessScaler } from '../../stepsize/stalenessScaler.ts';
import { stepSizeSpecSchema, type StepSizeSpec } from '../../stepsize/stepSizeSpec.ts';
import type { ParamsSchema, TransformDef } from '../ruleTypes.ts';

/**
 * A staleness-adaptive step size α(τ) = η·s(τ) on the fresh gradient (ALGORITHMS.md §3): g ← s(τ)·g.
 * Its parameters are a step-size spec (`kind` and that kind's fields). Measured kinds (TAIL-τ, the
 * normalised exponential) learn P̂(τ) during their warm-up from the updates this transform sees;
 * its state cells are allocated by the engine, so threads that share them share one warm-up.
 * Listed last, it scales the gradient after the penalties, as the ASAP.SGD code does. Logs s(τ) as
 * `scale` (the lr column is then η·s(τ)).
 */
export const stalenessStepTransform: TransformDef<StepSizeSpec, StalenessScaler> = {
  name: 'staleness-step',
  params: stepSizeSpecSchema as unknown as ParamsSchema<StepSizeSpec>,
  description: 'g ← s(τ)·g, s from a step-size kind: constant, inverse, fleet-exponential, normalised-exponential, tail-tau',
  needsGap: false,
  stalenessOnly: true,
  init: (spec, env) => stalenessScaler(spec, env.workers, env.alloc.cells(stalenessScalerCells(spec))),
  apply(scaler, g, { tau }) {
    // scale before observe: the warm-up boundary is then exact (see stalenessScaler).
    const s = scaler.scale(tau);
    scaler.observe(tau);
    if (s !== 1) for (let j = 0; j < g.length; j++) g[j] *= s;
    return { scale: s };
  },
};
