export { makeRule, plainAllocator, type Rule, type UpdateInfo, type UpdateStats } from './makeRule.ts';
export type { RuleState, StateArray } from './ruleState.ts';
export { ruleSpecSchema, parseRuleSpec, resolveRuleInput, type RuleSpec, type RuleSpecInput, type PartSpec } from './ruleSpec.ts';
export { NAMED_RULES, RULE_NAMES, type RuleName, type RuleComposition } from './namedRules.ts';
export {
  registerBase, registerTransform, baseNames, transformNames, BUILTIN_BASE_NAMES, BUILTIN_TRANSFORM_NAMES,
  type BaseDefinition, type TransformDefinition, type ParamsInput,
} from './registry.ts';
export { loadRuleModules, loadSpecModules } from './moduleDefinitions.ts';
export type { BaseDef, TransformDef, TransformContext, TransformStats, InitEnv, StateAllocator, ModuleRef } from './ruleTypes.ts';
export { sendsTheta, thetaFrom, perWorkerBuffers } from './bases/baseState.ts';
export { gapToTheta, sgdUpdate, sgdUpdateWithGap } from './bases/thetaOps.ts';
