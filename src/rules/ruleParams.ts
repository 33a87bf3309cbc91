import { z } from 'zod';

/**
 * Hyperparameters shared by every rule. One block for all rules, so a sweep can vary the rule while
 * keeping the recipe: a rule reads only the fields it uses (listed in its record as `usedParams`;
 * fields the user set that the rule does not use are listed as `ignoredParams`, never dropped silently).
 *
 * - `lr` η (the schedule's base value), `momentum` γ ∈ [0, 1).
 * - `weightDecay` wd, added to the gradient before any penalty (ALGORITHMS.md §2, assumption):
 *   `weightDecayAt: 'master'` (default) uses the master's current parameters (θ; Θ for DANA-Slim),
 *   `'worker'` uses the parameters the gradient was computed on (x_i), as a worker-side L2 term would.
 * - DC: `dcLambda` λ (constant form, default 0.04); `dcAdaptive` switches to
 *   λ_t = dcLambda0/√(ms + dcEpsilon), ms ← dcMsDecay·ms + (1 − dcMsDecay)·g² (defaults 2, 1e-7, 0.95).
 *   Left unset, the rule's own default applies (false for dc-asgd, true for dana-dc: assumption).
 * - GA: `gaBeta` β of the step-size statistic (0.999), `gaEpsilon` (1e-8).
 */
export const ruleParamsSchema = z
  .object({
    lr: z.number().positive().finite(),
    momentum: z.number().min(0).lt(1).default(0.9),
    weightDecay: z.number().min(0).finite().default(0),
    weightDecayAt: z.enum(['master', 'worker']).default('master'),
    dcLambda: z.number().min(0).finite().default(0.04),
    dcAdaptive: z.boolean().optional(),
    dcLambda0: z.number().min(0).finite().default(2),
    dcMsDecay: z.number().min(0).lt(1).default(0.95),
    dcEpsilon: z.number().positive().finite().default(1e-7),
    gaBeta: z.number().min(0).lt(1).default(0.999),
    gaEpsilon: z.number().positive().finite().default(1e-8),
  })
  .strict();

export type RuleParamsInput = z.input<typeof ruleParamsSchema>;
export type RuleParams = z.output<typeof ruleParamsSchema>;
export type RuleParamName = keyof RuleParams;
/** RuleParams after the rule's own defaults are filled in. */
export type ResolvedRuleParams = RuleParams & { dcAdaptive: boolean };
