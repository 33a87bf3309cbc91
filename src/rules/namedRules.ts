/**
 * The named rules of ALGORITHMS.md §2, one line each: a base, transforms in order (with the
 * parameters where the alias differs from the part's defaults), and SSGD's barrier rounds.
 * A named rule also takes its parts' parameters by name ({ name: 'ga-momentum', momentum: 0.95 })
 * and `weightDecay` / `weightDecayAt`, which put a weight-decay transform first (after the
 * listed transforms where the rule says `weightDecayLast`).
 */
export interface RuleComposition {
  readonly base: string | { readonly name: string; readonly [param: string]: unknown };
  readonly transforms?: readonly (string | { readonly name: string; readonly [param: string]: unknown })[];
  readonly sync?: boolean;
  readonly weightDecayLast?: boolean;
}

export const NAMED_RULES = {
  ssgd: { base: 'momentum', sync: true },
  asgd: { base: 'sgd' },
  'momentum-asgd': { base: 'momentum' },
  'nag-asgd': { base: { name: 'momentum', nesterov: true } },
  'multi-asgd': { base: 'multi-momentum' },
  sa: { base: 'sgd', transforms: ['staleness-aware'] },
  'sa-momentum': { base: 'momentum', transforms: ['staleness-aware'] },
  'dc-asgd': { base: 'sgd', transforms: ['delay-compensation'] },
  ga: { base: 'sgd', transforms: ['gap-aware'] },
  'ga-momentum': { base: 'momentum', transforms: ['gap-aware'] },
  'dana-zero': { base: 'dana-zero' },
  'dana-slim': { base: 'dana-slim' },
  // Adaptive λ for DANA-DC (assumption: as DC-ASGD's adaptive form).
  'dana-dc': { base: 'dana-zero', transforms: [{ name: 'delay-compensation', adaptive: true }] },
  // The DANA-DC authors' code (PROTOCOL.md): constant λ = 2, Δ = master θ − the look-ahead the
  // gradient was computed at, before weight decay and momentum.
  'dana-dc-authors': { base: 'dana-zero', transforms: [{ name: 'delay-compensation', lambda: 2, against: 'master' }], weightDecayLast: true },
  'ga-dana': { base: 'dana-zero', transforms: ['gap-aware'] },
} as const satisfies Record<string, RuleComposition>;

export type RuleName = keyof typeof NAMED_RULES;
export const RULE_NAMES = Object.keys(NAMED_RULES) as RuleName[];
