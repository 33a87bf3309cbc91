import { ConfigError } from '../config/validate.ts';
import type { StateAllocator } from './ruleTypes.ts';

/** One array of a rule's state, as the allocator handed it out. */
export type StateArray = Float32Array | Float64Array | Int32Array;

/**
 * A rule's whole state as plain data (copies), for checkpoints: every array its parts allocated,
 * in allocation order, plus the plain fields of user-registered parts (see userPartFields).
 */
export interface RuleState {
  rule: string;
  arrays: StateArray[];
  /** Per user part (by position in the chain: 'base' or 'transform k'), its own copyable fields. */
  fields: Record<string, Record<string, FieldValue>>;
}

type FieldValue = number | boolean | string | null | StateArray | StateArray[];

/**
 * An allocator that hands out `inner`'s arrays and remembers them: the parts keep everything
 * that must survive an update in allocated memory (ruleTypes.ts, StateAllocator), so these arrays
 * are the built-in parts' whole state.
 */
export function recordingAllocator(inner: StateAllocator): { alloc: StateAllocator; arrays: StateArray[] } {
  const arrays: StateArray[] = [];
  const keep = <T extends StateArray>(a: T): T => {
    arrays.push(a);
    return a;
  };
  return {
    arrays,
    alloc: { floats: (n) => keep(inner.floats(n)), doubles: (n) => keep(inner.doubles(n)), cells: (n) => keep(inner.cells(n)) },
  };
}

const isStateArray = (v: unknown): v is StateArray => v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array;
const kindOf = (a: StateArray) => `${a.constructor.name}[${a.length}]`;

/**
 * A user part may also keep state in plain fields of its state object (a counter, a typed array it
 * made itself). Those are saved too; anything a checkpoint cannot copy back in place (functions,
 * nested objects, Maps, class instances) is refused, naming the part and field, rather than saved
 * incompletely.
 */
function userPartFields(state: unknown, allocated: Set<StateArray>, where: string): Record<string, FieldValue> {
  if (state === null || state === undefined) return {};
  if (typeof state !== 'object' || Array.isArray(state) || Object.getPrototypeOf(state) !== Object.prototype) {
    throw new ConfigError(`checkpointEvery: ${where} keeps its state in a ${Array.isArray(state) ? 'array' : typeof state === 'object' ? (state.constructor?.name ?? 'object') : typeof state}, which a checkpoint cannot save; return a plain object of numbers, booleans, strings and env.alloc arrays from init`);
  }
  const out: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(state)) {
    if (isStateArray(v)) out[k] = allocated.has(v) ? null : v.slice();
    else if (Array.isArray(v) && v.every(isStateArray)) out[k] = v.map((a) => (allocated.has(a) ? a.subarray(0, 0) : a.slice()));
    else if (v === null || ['number', 'boolean', 'string'].includes(typeof v)) out[k] = v as FieldValue;
    else throw new ConfigError(`checkpointEvery: ${where} keeps state.${k} (${typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v}), which a checkpoint cannot save; keep state in env.alloc arrays or number/boolean/string fields`);
  }
  return out;
}

/** The parts of a bound rule that the snapshot functions need (makeRule passes them). */
export interface RuleParts {
  name: string;
  arrays: StateArray[];
  /** Each part's label, state object and whether it is built in (its state is then all allocated). */
  parts: { label: string; state: unknown; builtin: boolean }[];
}

export function saveRuleState(r: RuleParts): RuleState {
  const allocated = new Set(r.arrays);
  const fields: RuleState['fields'] = {};
  for (const p of r.parts) if (!p.builtin) fields[p.label] = userPartFields(p.state, allocated, `rule ${r.name}: ${p.label}`);
  return { rule: r.name, arrays: r.arrays.map((a) => a.slice()), fields };
}

/** Copy a saved state back into the rule's own memory, refusing one of another rule, D or N. */
export function loadRuleState(r: RuleParts, s: RuleState): void {
  const mismatch = (what: string) => new ConfigError(`checkpoint: the saved state of rule ${s.rule} does not fit rule ${r.name} (${what}); resume with the config the checkpoint was saved with`);
  if (s.rule !== r.name || s.arrays.length !== r.arrays.length) throw mismatch(`${s.arrays.length} state arrays saved, ${r.arrays.length} here`);
  r.arrays.forEach((a, k) => {
    const saved = s.arrays[k];
    if (!isStateArray(saved) || saved.constructor !== a.constructor || saved.length !== a.length) throw mismatch(`array ${k} is ${isStateArray(saved) ? kindOf(saved) : typeof saved}, here ${kindOf(a)}`);
    a.set(saved as never);
  });
  for (const p of r.parts) {
    if (p.builtin) continue;
    const saved = s.fields[p.label] ?? {};
    const target = p.state as Record<string, unknown>;
    for (const [k, v] of Object.entries(saved)) {
      const here = target[k];
      if (v === null && isStateArray(here)) continue;
      if (isStateArray(v) && isStateArray(here) && here.length === v.length) here.set(v as never);
      else if (Array.isArray(v) && Array.isArray(here) && here.length === v.length) v.forEach((a, i) => a.length && (here[i] as StateArray).set(a as never));
      else if (!isStateArray(v) && !Array.isArray(v)) target[k] = v;
      else throw mismatch(`${p.label}: state.${k} has another shape`);
    }
  }
}
