import type { z } from 'zod';
import { tryParseConfig } from '../config/validate.ts';
import { ruleParamsSchema } from '../rules/ruleParams.ts';
import { ruleCompositionSchema } from '../rules/ruleSpec.ts';
import { LR_SCHEDULE_SCHEMAS } from '../schedule/lrSchedule.ts';
import { BUILTIN_OBJECTIVE_SCHEMAS } from './objectiveSpec.ts';
import { TIMING_SCHEMAS } from './timingSpec.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A nested object's problems, under the field path they belong to. */
export interface NestedProblems {
  where: string;
  problems: string[];
}

/**
 * Check the nested objects of a sim config against their own schemas, so that an unknown field
 * inside one (ruleParams.momentun) is reported with *that* object's allowed fields. Returns the
 * problems of every nested object that has some (none: an empty list).
 */
export function nestedConfigProblems(input: unknown, where: string): NestedProblems[] {
  if (!isObject(input)) return [];
  const found: NestedProblems[] = [];
  const check = (schema: z.ZodType, value: unknown, at: string): void => {
    const r = tryParseConfig(schema, value, at);
    if (!r.ok) found.push({ where: at, problems: r.problems });
  };
  /** Check `value` with the member of `schemas` its discriminator names (unknown names are left to the union). */
  const byTag = (schemas: Record<string, z.ZodType>, tag: string, value: unknown, at: string): void => {
    if (!isObject(value)) return;
    const name = value[tag];
    if (typeof name === 'string' && Object.hasOwn(schemas, name)) check(schemas[name], value, at);
  };
  if (isObject(input.ruleParams)) check(ruleParamsSchema, input.ruleParams, `${where}.ruleParams`);
  if (isObject(input.rule)) check(ruleCompositionSchema, input.rule, `${where}.rule`);
  byTag(TIMING_SCHEMAS, 'kind', input.timing, `${where}.timing`);
  byTag(LR_SCHEDULE_SCHEMAS, 'kind', input.lrSchedule, `${where}.lrSchedule`);
  byTag(BUILTIN_OBJECTIVE_SCHEMAS, 'name', input.objective, `${where}.objective`);
  return found;
}
