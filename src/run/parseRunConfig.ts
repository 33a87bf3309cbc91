import { allowedFieldsAt } from '../config/allowedFields.ts';
import { ConfigError, configError, tryParseConfig } from '../config/validate.ts';
import { loadRuleModules } from '../rules/moduleDefinitions.ts';
import { LEGACY_FIELDS } from './configFields.ts';
import { applyPreset } from './presets.ts';
import { DEFAULT_ENGINE, ENGINE_NAMES, ENGINES, type EngineName } from './engines.ts';
import type { RunConfig } from './runConfig.ts';

/** A validated run config of any engine. */
export type { RunConfig };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The fields an engine's config accepts. */
export function engineFields(name: EngineName): string[] {
  return allowedFieldsAt(ENGINES[name].configSchema, {}, []);
}

/** The engine a raw config names (default sim), or a ConfigError listing the engines. */
export function engineOf(input: Record<string, unknown>, where: string): EngineName {
  const name = input.engine ?? DEFAULT_ENGINE;
  if (typeof name !== 'string' || !(ENGINE_NAMES as string[]).includes(name)) {
    throw new ConfigError(`${where}.engine: got ${JSON.stringify(name)}; allowed values: ${ENGINE_NAMES.join(', ')}`);
  }
  return name as EngineName;
}

/**
 * Validate a run config of any engine once, at the boundary (library call, CLI, sweep): the engine
 * it names, fields of earlier versions and of other engines (each with a message saying where it
 * belongs), user definitions named by module path (loaded and registered), then the engine's
 * schema. Every problem is reported at once; the result is typed and complete.
 */
export async function parseRunConfig(input: unknown, where = 'config'): Promise<RunConfig> {
  if (!isObject(input)) throw new ConfigError(`${where}: expected a run config object, got ${input === null ? 'null' : Array.isArray(input) ? 'a list' : typeof input}`);
  const engine = engineOf(input, where);
  const own = new Set(engineFields(engine));
  const problems: string[] = [];
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (own.has(key)) {
      rest[key] = value;
      continue;
    }
    const owner = ENGINE_NAMES.find((e) => e !== engine && engineFields(e).includes(key));
    if (Object.hasOwn(LEGACY_FIELDS, key)) problems.push(`${where}.${key}: ${LEGACY_FIELDS[key]}`);
    else if (owner) problems.push(`${where}.${key}: only for engine "${owner}" (this run uses engine "${engine}")`);
    else rest[key] = value;
  }
  // A preset is the simulator's (the authors' simulator); elsewhere its field is another engine's.
  const full = engine === 'sim' && 'preset' in rest ? applyPreset(rest, where) : rest;
  if ('rule' in full) full.rule = await loadRuleModules(full.rule, `${where}.rule`);
  const parsed = tryParseConfig(ENGINES[engine].configSchema, { ...full, engine }, where);
  if (!parsed.ok) problems.push(...parsed.problems);
  if (problems.length > 0 || !parsed.ok) throw configError(where, problems);
  return parsed.data as RunConfig;
}
