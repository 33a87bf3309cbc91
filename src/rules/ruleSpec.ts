import { z } from 'zod';
import { BASE_NAMES, NAMED_RULES, PENALTY_NAMES, RULE_NAMES, SYNC_BASES, type RuleComposition, type RuleName } from './registry.ts';
import type { RuleParams } from './ruleParams.ts';

/**
 * A rule as a user writes it: a registered name ("dana-zero") or a composition
 * { base, penalties, sync } (e.g. { base: "nesterov", penalties: ["gap-aware"] }).
 */
export const ruleCompositionSchema = z
  .object({
    base: z.enum(BASE_NAMES),
    penalties: z.array(z.enum(PENALTY_NAMES)).default([]),
    sync: z.boolean().default(false),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.penalties.forEach((p, i) => {
      if (seen.has(p)) ctx.addIssue({ code: 'custom', path: ['penalties', i], message: `"${p}" is listed twice` });
      seen.add(p);
    });
    if (c.sync && !SYNC_BASES.includes(c.base)) {
      ctx.addIssue({ code: 'custom', path: ['base'], message: `sync (SSGD) rounds need one of ${SYNC_BASES.join(', ')}; got "${c.base}"` });
    }
    if (c.sync && c.penalties.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['penalties'], message: 'sync (SSGD) rounds have no staleness or gap, so penalties would do nothing; leave them out' });
    }
  });

export const ruleSpecSchema = z.union([z.enum(RULE_NAMES), ruleCompositionSchema], {
  error: `expected a rule name (${RULE_NAMES.join(', ')}) or a composition { base, penalties, sync }`,
});

export type RuleSpecInput = z.input<typeof ruleSpecSchema>;
export type RuleSpec = z.output<typeof ruleSpecSchema>;

export interface ResolvedRule extends RuleComposition {
  /** The registered name, or a name built from the composition ("nesterov+gap-aware"). */
  name: string;
  defaults: Partial<RuleParams>;
}

/** The composition behind a validated rule spec. */
export function resolveRule(spec: RuleSpec): ResolvedRule {
  if (typeof spec === 'string') {
    const named = NAMED_RULES[spec as RuleName];
    const defaults: Partial<RuleParams> = ('defaults' in named ? named.defaults : undefined) ?? {};
    return { name: spec, base: named.base, penalties: [...named.penalties], sync: named.sync, defaults };
  }
  const name = [spec.sync ? `sync-${spec.base}` : spec.base, ...spec.penalties].join('+');
  return { name, base: spec.base, penalties: [...spec.penalties], sync: spec.sync, defaults: {} };
}
