import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../config/validate.ts';
import { registerBase, registerTransform, type BaseDefinition, type TransformDefinition } from './registry.ts';
import type { ModuleRef } from './ruleTypes.ts';

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An absolute path or URL for a module path as written (relative paths: against `baseDir`). */
export function moduleLocation(path: string, baseDir: string): string {
  if (/^[a-z]+:\/\//i.test(path) || path.startsWith('file:')) return path;
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** Import a definition and register it; the same module ref loads it in another thread or process. */
export async function loadDefinition(kind: 'base' | 'transform', ref: ModuleRef, where: string): Promise<string> {
  const url = ref.module.includes('://') || ref.module.startsWith('file:') ? ref.module : pathToFileURL(ref.module).href;
  let mod: Raw;
  try {
    mod = (await import(url)) as Raw;
  } catch (e) {
    throw new ConfigError(`${where}.module: cannot load ${ref.module} (${(e as Error).message.split('\n')[0]})`);
  }
  const def = mod[ref.export];
  if (!isObject(def)) {
    const exported = Object.keys(mod).filter((k) => isObject(mod[k]));
    throw new ConfigError(`${where}.export: ${ref.module} exports no definition "${ref.export}"${exported.length ? `; it exports ${exported.join(', ')}` : ''}`);
  }
  const registered = kind === 'base'
    ? registerBase(def as unknown as BaseDefinition, { module: ref })
    : registerTransform(def as unknown as TransformDefinition, { module: ref });
  return registered.name;
}

async function loadPart(kind: 'base' | 'transform', raw: unknown, where: string, baseDir: string): Promise<unknown> {
  if (!isObject(raw) || !('module' in raw)) return raw;
  // A validated part written back (run.json) carries its module ref: load it, keep the part as it is.
  if (isObject(raw.module)) {
    const ref = raw.module as unknown as ModuleRef;
    await loadDefinition(kind, { module: moduleLocation(String(ref.module), baseDir), export: String(ref.export) }, where);
    return raw;
  }
  const { module, export: name, ...params } = raw;
  if (typeof module !== 'string' || module === '') throw new ConfigError(`${where}.module: expected a module path such as "./myRule.ts"`);
  if (typeof name !== 'string' || name === '') throw new ConfigError(`${where}.export: expected the name of the exported definition`);
  if ('name' in params) throw new ConfigError(`${where}.name: give either name (a registered ${kind}) or module + export, not both`);
  const registered = await loadDefinition(kind, { module: moduleLocation(module, baseDir), export: name }, where);
  return { name: registered, ...params };
}

/**
 * Load the user definitions a rule names by module path ({ module: './myRule.ts', export:
 * 'myPenalty', ...parameters }), register them, and return the rule with those parts named
 * instead. Everything else is returned as it is, for the rule schema to validate.
 */
export async function loadRuleModules(rule: unknown, where = 'config.rule', baseDir = process.cwd()): Promise<unknown> {
  if (!isObject(rule) || !('base' in rule)) return rule;
  const out: Raw = { ...rule, base: await loadPart('base', rule.base, `${where}.base`, baseDir) };
  if (Array.isArray(rule.transforms)) {
    out.transforms = [];
    for (let i = 0; i < rule.transforms.length; i++) (out.transforms as unknown[]).push(await loadPart('transform', rule.transforms[i], `${where}.transforms[${i}]`, baseDir));
  }
  return out;
}

/** Load, in this thread or process, every user definition a validated rule carries a module ref for. */
export async function loadSpecModules(spec: { base: { module?: ModuleRef }; transforms: { module?: ModuleRef }[] }, where = 'rule'): Promise<void> {
  if (spec.base.module) await loadDefinition('base', spec.base.module, `${where}.base`);
  for (const [i, t] of spec.transforms.entries()) if (t.module) await loadDefinition('transform', t.module, `${where}.transforms[${i}]`);
}
