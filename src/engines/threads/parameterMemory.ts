import type { SharedControl } from './sharedControl.ts';
import type { ParameterMemory, ParameterStore } from './parameterStore.ts';
import type { SyncMode } from './syncModes.ts';
import { makeInPlaceStore } from './inPlaceStores.ts';
import { initLeashed, leashedSlots, makeLeashedStore } from './leashedStore.ts';

/** Allocate the shared parameters for `sync` and put θ0 in them. */
export function allocateParameters(sync: SyncMode, theta0: Float32Array, threads: number, control: SharedControl, trajectorySteps: number): ParameterMemory {
  const dim = theta0.length;
  const slots = sync === 'leashed' ? leashedSlots(threads) : 1;
  if (slots > 256) throw new RangeError(`threads: Leashed-SGD addresses at most 256 slots (T ≤ 127), got T = ${threads}`);
  const memory: ParameterMemory = {
    sync,
    dim,
    slots,
    params: new SharedArrayBuffer(slots * dim * 4),
    meta: sync === 'leashed' ? new SharedArrayBuffer(slots * 4 * 4) : null,
    trajectory: trajectorySteps > 0 ? new SharedArrayBuffer(trajectorySteps * dim * 4) : null,
  };
  if (sync === 'leashed') initLeashed(memory, control, theta0);
  else new Float32Array(memory.params, 0, dim).set(theta0);
  return memory;
}

/** This thread's handle on the shared parameters. */
export function attachStore(memory: ParameterMemory, control: SharedControl, persistence: number | null, thread: number): ParameterStore {
  const trajectory = memory.trajectory ? new Float32Array(memory.trajectory) : null;
  if (memory.sync === 'leashed') return makeLeashedStore(memory, control, persistence, (2 * thread + 1) % memory.slots, trajectory);
  return makeInPlaceStore(memory, control, memory.sync === 'lock', trajectory);
}
