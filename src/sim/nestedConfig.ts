import type { z } from 'zod';
import { parseConfig } from '../config/validate.ts';
import { ruleParamsSchema } from '../rules/ruleParams.ts';
import { ruleCompositionSchema } from '../rules/ruleSpec.ts';
import { LR_SCHEDULE_SCHEMAS } from '../schedule/lrSchedule.ts';
import { BUILTIN_OBJECTIVE_SCHEMAS } from './objectiveSpec.ts';
import { TIMING_SCHEMAS } from './timingSpec.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse `value` with the member of `schemas` its discriminator names (unknown names are left to the union). */
function byTag(schemas: Record<string, z.ZodType>, tag: string, value: unknown, where: string): void {
  if (!isObject(value)) return;
  const name = value[tag];
  if (typeof name === 'string' && Object.hasOwn(schemas, name)) parseConfig(schemas[name], value, where);
}

/**
 * Validate the nested objects of a sim config against their own schemas first, so that an unknown
 * field inside one (ruleParams.momentun) is reported with *that* object's allowed fields rather
 * than the top level's (parseConfig lists the fields of the schema it was given).
 */
export function checkNestedConfig(input: unknown, where: string): void {
  if (!isObject(input)) return;
  if (isObject(input.ruleParams)) parseConfig(ruleParamsSchema, input.ruleParams, `${where}.ruleParams`);
  if (isObject(input.rule)) parseConfig(ruleCompositionSchema, input.rule, `${where}.rule`);
  byTag(TIMING_SCHEMAS, 'kind', input.timing, `${where}.timing`);
  byTag(LR_SCHEDULE_SCHEMAS, 'kind', input.lrSchedule, `${where}.lrSchedule`);
  byTag(BUILTIN_OBJECTIVE_SCHEMAS, 'name', input.objective, `${where}.objective`);
}
