export { makeRule, resolveRuleParams, type Rule, type UpdateInfo, type UpdateStats } from './makeRule.ts';
export { ruleParamsSchema, type RuleParams, type RuleParamsInput, type ResolvedRuleParams, type RuleParamName } from './ruleParams.ts';
export { ruleSpecSchema, ruleCompositionSchema, resolveRule, type RuleSpec, type RuleSpecInput, type ResolvedRule } from './ruleSpec.ts';
export {
  BASES, PENALTIES, NAMED_RULES, RULE_NAMES, BASE_NAMES, PENALTY_NAMES, SYNC_BASES,
  type BaseName, type PenaltyName, type RuleName, type RuleComposition,
} from './registry.ts';
export { gapToTheta, type BaseStep } from './baseStep.ts';
export { sgdUpdate } from './sgdStep.ts';
export type { Penalty, PenaltyContext, PenaltyStats } from './penalty.ts';
