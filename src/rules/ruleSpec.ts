import { z } from 'zod';
import { allowedFieldsAt } from '../config/allowedFields.ts';
import { parseConfig, problemsOf, type Problem } from '../config/validate.ts';
import { NAMED_RULES, RULE_NAMES, type RuleName } from './namedRules.ts';
import { baseNames, registeredBase, registeredTransform, transformNames, type Registered } from './registry.ts';
import type { ModuleRef } from './ruleTypes.ts';

/** One validated part of a rule: a registered name and its complete parameters. */
export interface PartSpec {
  name: string;
  params: Record<string, unknown>;
  /** Where a user definition came from, so other threads and processes load the same one. */
  module?: ModuleRef;
}

/** A validated rule: plain data (it crosses into worker threads and processes as is). */
export interface RuleSpec {
  /** The named rule ("ga-momentum"), or a name built from the parts ("momentum+gap-aware"). */
  name: string;
  base: PartSpec;
  /** Applied to the gradient in this order, before the base step. */
  transforms: PartSpec[];
  /** SSGD's barrier rounds: N gradients on the same θ, averaged, applied as one update. */
  sync: boolean;
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');
const WEIGHT_DECAY_KEYS = ['weightDecay', 'weightDecayAt'];

class Problems {
  readonly list: Problem[] = [];
  add(path: PropertyKey[], message: string): null {
    this.list.push({ path, message });
    return null;
  }
}

/** A validated part written back (run.json): { name, params, module? }, which parses to itself. */
const isPartSpec = (raw: Raw): boolean =>
  isObject(raw.params) && Object.keys(raw).every((k) => k === 'name' || k === 'params' || (k === 'module' && isObject(raw.module)));

/** A part as written: "name", { name, ...params }, or a validated part { name, params }. */
function partInput(raw: unknown, path: PropertyKey[], kind: string, problems: Problems): { name: string; params: Raw; named: boolean } | null {
  if (typeof raw === 'string') return { name: raw, params: {}, named: false };
  if (isObject(raw) && typeof raw.name === 'string' && isPartSpec(raw)) return { name: raw.name, params: raw.params as Raw, named: true };
  if (isObject(raw) && 'module' in raw) {
    return problems.add(path, 'a definition from a module path is loaded when the config is parsed (runExperiment, sweep, the CLI); pass this config through one of them');
  }
  if (isObject(raw) && typeof raw.name === 'string') {
    const { name, ...params } = raw;
    return { name: name as string, params, named: true };
  }
  return problems.add(path, `expected a ${kind} name or { name, ...parameters } (or { module, export, ...parameters } for a user definition)`);
}

function resolvePart(kind: 'base' | 'transform', raw: unknown, path: PropertyKey[], problems: Problems): PartSpec | null {
  const p = partInput(raw, path, kind, problems);
  if (!p) return null;
  const reg: Registered<{ params: z.ZodType }> | undefined = kind === 'base' ? registeredBase(p.name) : registeredTransform(p.name);
  if (!reg) {
    const names = kind === 'base' ? baseNames() : transformNames();
    return problems.add(p.named ? [...path, 'name'] : path, `got "${p.name}"; allowed ${kind}s: ${quoted(names)} (or register your own with register${kind === 'base' ? 'Base' : 'Transform'})`);
  }
  const r = problemsOf(reg.def.params, p.params);
  if (!r.ok) {
    for (const q of r.problems) problems.add([...path, ...q.path], q.message);
    return null;
  }
  return { name: p.name, params: r.data as Raw, ...(reg.module ? { module: reg.module } : {}) };
}

/** The parameter names a part accepts (for routing a named rule's parameters to its parts). */
function acceptedKeys(kind: 'base' | 'transform', name: string, params: Raw): string[] {
  const reg = kind === 'base' ? registeredBase(name) : registeredTransform(name);
  return reg ? allowedFieldsAt(reg.def.params, params, []) : [];
}

const partName = (raw: unknown): string => (typeof raw === 'string' ? raw : String((raw as Raw).name));
const partParams = (raw: unknown): Raw => (typeof raw === 'string' ? {} : (({ name: _n, ...rest }) => rest)(raw as Raw));

/**
 * A named rule with parameters: each one goes to the single part that takes it; weightDecay /
 * weightDecayAt without a weight-decay part put one first (last for a rule marked weightDecayLast).
 */
function expandNamed(name: RuleName, kwargs: Raw, problems: Problems): Raw | null {
  const alias = NAMED_RULES[name] as { base: unknown; transforms?: readonly unknown[]; sync?: boolean; weightDecayLast?: boolean };
  const parts: { kind: 'base' | 'transform'; name: string; params: Raw }[] = [
    { kind: 'base', name: partName(alias.base), params: partParams(alias.base) },
    ...(alias.transforms ?? []).map((t) => ({ kind: 'transform' as const, name: partName(t), params: partParams(t) })),
  ];
  const decay: Raw = {};
  let ok = true;
  for (const [k, v] of Object.entries(kwargs)) {
    const owners = parts.filter((p) => acceptedKeys(p.kind, p.name, p.params).includes(k));
    if (owners.length === 1) owners[0].params[k] = v;
    else if (owners.length === 0 && WEIGHT_DECAY_KEYS.includes(k)) decay[k] = v;
    else {
      ok = false;
      const accepted = [...new Set(parts.flatMap((p) => acceptedKeys(p.kind, p.name, p.params)).concat(WEIGHT_DECAY_KEYS))].filter((x) => x !== 'name');
      problems.add([k], owners.length === 0
        ? `"${name}" has no parameter "${k}"; it takes ${quoted(accepted)}`
        : `"${k}" is a parameter of several parts of "${name}" (${owners.map((o) => o.name).join(', ')}); write the rule as { base, transforms } to say which`);
    }
  }
  if (!ok) return null;
  const transforms = parts.slice(1).map((p) => ({ name: p.name, ...p.params }));
  if (Object.keys(decay).length > 0) {
    if (alias.weightDecayLast) transforms.push({ name: 'weight-decay', ...decay });
    else transforms.unshift({ name: 'weight-decay', ...decay });
  }
  return { base: { name: parts[0].name, ...parts[0].params }, transforms, ...(alias.sync ? { sync: true } : {}) };
}

function composedName(base: PartSpec, transforms: PartSpec[], sync: boolean): string {
  const b = base.name === 'momentum' && base.params.nesterov === true ? 'momentum(nesterov)' : base.name;
  const t = transforms.map((p) => (p.name === 'staleness-step' ? `staleness-step(${String(p.params.kind)})` : p.name));
  return [sync ? `sync-${b}` : b, ...t].join('+');
}

const COMPOSITION_FIELDS = ['name', 'base', 'transforms', 'sync'];

function resolveComposition(c: Raw, name: string | null, problems: Problems): RuleSpec | null {
  const unknown = Object.keys(c).filter((k) => !COMPOSITION_FIELDS.includes(k));
  if (unknown.length) problems.add([], `unknown field ${quoted(unknown)}; allowed fields: ${COMPOSITION_FIELDS.join(', ')} (a named rule with parameters is { name, ...parameters })`);
  if (c.sync !== undefined && typeof c.sync !== 'boolean') problems.add(['sync'], 'expected true or false');
  if (c.name !== undefined && (typeof c.name !== 'string' || c.name === '')) problems.add(['name'], 'expected a label for the rule (its name in the tables)');
  if (c.transforms !== undefined && !Array.isArray(c.transforms)) problems.add(['transforms'], 'expected a list of transforms, applied in order');
  const sync = c.sync === true;
  const base = c.base === undefined ? problems.add(['base'], `required: one of ${quoted(baseNames())}`) : resolvePart('base', c.base, ['base'], problems);
  const list = Array.isArray(c.transforms) ? c.transforms : [];
  const transforms = list.map((t, i) => resolvePart('transform', t, ['transforms', i], problems));
  const seen = new Map<string, number>();
  transforms.forEach((t, i) => {
    if (!t) return;
    if (seen.has(t.name)) problems.add(['transforms', i], `"${t.name}" is listed twice (first at transforms[${seen.get(t.name)}])`);
    seen.set(t.name, i);
  });
  if (sync && base) {
    if (!registeredBase(base.name)!.def.syncable) {
      const syncable = baseNames().filter((n) => registeredBase(n)!.def.syncable);
      problems.add(['base'], `sync (SSGD) rounds need one of ${quoted(syncable)}; got "${base.name}"`);
    }
    transforms.forEach((t, i) => {
      if (t && registeredTransform(t.name)!.def.stalenessOnly) {
        problems.add(['transforms', i], `"${t.name}" acts on stale gradients, and sync (SSGD) rounds have no staleness or gap; leave it out`);
      }
    });
  }
  if (!base || transforms.some((t) => t === null) || problems.list.length > 0) return null;
  const parts = transforms as PartSpec[];
  return { name: name ?? (typeof c.name === 'string' ? c.name : composedName(base, parts, sync)), base, transforms: parts, sync };
}

/** Resolve a rule as written into a validated RuleSpec, or the problems that prevent it. */
export function resolveRuleInput(input: unknown): { ok: true; spec: RuleSpec } | { ok: false; problems: Problem[] } {
  const problems = new Problems();
  let spec: RuleSpec | null = null;
  const named = (n: string, kwargs: Raw, at: PropertyKey[]): void => {
    if (!Object.hasOwn(NAMED_RULES, n)) {
      problems.add(at, `got "${n}"; allowed rule names: ${quoted(RULE_NAMES)}, or a composition { base, transforms, sync }`);
      return;
    }
    const composition = expandNamed(n as RuleName, kwargs, problems);
    if (composition) spec = resolveComposition(composition, n, problems);
  };
  if (typeof input === 'string') named(input, {}, []);
  else if (isObject(input) && 'base' in input) spec = resolveComposition(input, null, problems);
  else if (isObject(input) && typeof input.name === 'string') {
    const { name, ...kwargs } = input;
    named(name as string, kwargs, ['name']);
  } else {
    problems.add([], `expected a rule name (${quoted(RULE_NAMES)}), a named rule with parameters { name, ... } or a composition { base, transforms, sync }`);
  }
  return spec && problems.list.length === 0 ? { ok: true, spec } : { ok: false, problems: problems.list };
}

/**
 * A rule as a user writes it: a name ("dana-zero"), a name with parameters
 * ({ name: "ga-momentum", momentum: 0.95, weightDecay: 1e-4 }), or a composition
 * { base: "momentum" | { name: "momentum", nesterov: true }, transforms: ["gap-aware", …], sync,
 * name? } (name: a label for the tables; default built from the parts). A validated RuleSpec, as
 * saved in run.json, parses to itself. Parts are looked up in the registry when parsed, so
 * user-registered names work everywhere.
 */
export const ruleSpecSchema = z.unknown().transform((input, ctx) => {
  const r = resolveRuleInput(input);
  if (r.ok) return r.spec;
  for (const p of r.problems) ctx.issues.push({ code: 'custom', path: p.path, message: p.message, input });
  return z.NEVER;
}) as unknown as z.ZodType<RuleSpec, RuleSpecInput>;

export type RuleSpecInput = RuleName | (string & {}) | { name: string; [param: string]: unknown } | { base: unknown; transforms?: unknown[]; sync?: boolean };

/** Validate a rule spec as a user writes it. */
export function parseRuleSpec(input: unknown, where = 'rule'): RuleSpec {
  return parseConfig(ruleSpecSchema, input, where);
}
