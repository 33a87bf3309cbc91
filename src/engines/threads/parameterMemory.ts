import type { Rule } from '../../rules/makeRule.ts';
import type { RuleSpec } from '../../rules/ruleSpec.ts';
import { makeInPlaceStore } from './inPlaceStore.ts';
import { initLeashed, leashedSlots, makeLeashedStore } from './leashedStore.ts';
import type { ParameterMemory, ParameterStore } from './parameterStore.ts';
import type { SharedControl } from './sharedControl.ts';
import { measureStateLayout, ruleOnSlot } from './sharedRuleState.ts';
import type { SyncMode } from './syncModes.ts';

/** Leashed-SGD addresses its slots in one byte of the pointer word. */
const MAX_SLOTS = 256;

/**
 * Allocate the shared memory of the rule's state for `sync` (one copy; 2T + 2 for Leashed-SGD) and
 * write the initial state (θ0, zero buffers) into the first copy, through a rule built on it.
 */
export function allocateParameters(sync: SyncMode, spec: RuleSpec, theta0: Float32Array, threads: number, control: SharedControl, trajectorySteps: number): ParameterMemory {
  const dim = theta0.length;
  const slots = sync === 'leashed' ? leashedSlots(threads) : 1;
  if (slots > MAX_SLOTS) throw new RangeError(`threads: Leashed-SGD addresses at most ${MAX_SLOTS} slots (T ≤ 127), got T = ${threads}`);
  const layout = measureStateLayout(spec, theta0, threads);
  const memory: ParameterMemory = {
    sync,
    dim,
    slots,
    layout,
    state: new SharedArrayBuffer(slots * layout.bytes),
    meta: sync === 'leashed' ? new SharedArrayBuffer(slots * 4 * 4) : null,
    trajectory: trajectorySteps > 0 ? new SharedArrayBuffer(trajectorySteps * dim * 4) : null,
  };
  ruleOnSlot(spec, theta0, threads, memory.state, layout, 0);
  if (sync === 'leashed') initLeashed(memory, control);
  return memory;
}

/**
 * This thread's handle on the shared state: the rule bound to it (one per slot for Leashed-SGD)
 * and the synchronisation around its send and receive. Binding a rule runs the parts' init on the
 * shared memory, which writes the same initial state again: call it before the start barrier.
 */
export function attachStore(memory: ParameterMemory, spec: RuleSpec, theta0: Float32Array, threads: number, control: SharedControl, persistence: number | null, thread: number): { store: ParameterStore; rules: Rule[] } {
  const trajectory = memory.trajectory ? new Float32Array(memory.trajectory) : null;
  const rules = Array.from({ length: memory.slots }, (_, s) => ruleOnSlot(spec, theta0, threads, memory.state, memory.layout, s));
  if (memory.sync === 'leashed') return { store: makeLeashedStore(memory, rules, control, persistence, (2 * thread + 1) % memory.slots, trajectory), rules };
  return { store: makeInPlaceStore(rules[0], control, memory.sync === 'lock', trajectory), rules };
}
