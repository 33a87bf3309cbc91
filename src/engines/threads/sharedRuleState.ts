import { makeRule, plainAllocator, type Rule } from '../../rules/makeRule.ts';
import type { RuleSpec } from '../../rules/ruleSpec.ts';
import type { StateAllocator } from '../../rules/ruleTypes.ts';

type Kind = 'f32' | 'f64' | 'i32';
const BYTES: Record<Kind, number> = { f32: 4, f64: 8, i32: 4 };

/** Where each allocation of a rule's state lies in one region of shared memory, in allocation order. */
export interface StateLayout {
  entries: { kind: Kind; length: number; offset: number }[];
  /** Bytes of one copy of the state (a multiple of 64: copies do not share cache lines). */
  bytes: number;
}

/**
 * The layout of a rule's state, found by building it once in ordinary memory and recording every
 * allocation (the parts' init functions allocate in the same order for the same spec, D and N).
 */
export function measureStateLayout(spec: RuleSpec, theta0: Float32Array, workers: number): StateLayout {
  const entries: StateLayout['entries'] = [];
  let offset = 0;
  const record = <T>(kind: Kind, length: number, make: (n: number) => T): T => {
    offset = Math.ceil(offset / 8) * 8;
    entries.push({ kind, length, offset });
    offset += length * BYTES[kind];
    return make(length);
  };
  const recorder: StateAllocator = {
    floats: (n) => record('f32', n, plainAllocator.floats),
    doubles: (n) => record('f64', n, plainAllocator.doubles),
    cells: (n) => record('i32', n, plainAllocator.cells),
  };
  makeRule(spec, theta0, workers, recorder);
  return { entries, bytes: Math.max(64, Math.ceil(offset / 64) * 64) };
}

/** Views of copy `slot` of the state in `buffer`, handed out in the layout's order (and checked against it). */
export function slotAllocator(buffer: SharedArrayBuffer, layout: StateLayout, slot: number): StateAllocator {
  let k = 0;
  const base = slot * layout.bytes;
  const take = (kind: Kind, length: number) => {
    const e = layout.entries[k++];
    if (!e || e.kind !== kind || e.length !== length) {
      throw new Error(`shared rule state: allocation ${k} is ${kind}[${length}], the layout has ${e ? `${e.kind}[${e.length}]` : 'none'} (a part allocates differently from one call to the next)`);
    }
    return base + e.offset;
  };
  return {
    floats: (n) => new Float32Array(buffer, take('f32', n), n),
    doubles: (n) => new Float64Array(buffer, take('f64', n), n),
    cells: (n) => new Int32Array(buffer, take('i32', n), n),
  };
}

/** A rule bound to copy `slot` of the shared state (its init writes the initial state there). */
export function ruleOnSlot(spec: RuleSpec, theta0: Float32Array, workers: number, buffer: SharedArrayBuffer, layout: StateLayout, slot: number): Rule {
  return makeRule(spec, theta0, workers, slotAllocator(buffer, layout, slot));
}
