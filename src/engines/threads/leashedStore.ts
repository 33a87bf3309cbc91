import type { Rule } from '../../rules/makeRule.ts';
import type { ParameterMemory, ParameterStore } from './parameterStore.ts';
import { Cell, type SharedControl } from './sharedControl.ts';

/**
 * Leashed-SGD (ALGORITHMS.md §4): lock-free and consistent. Published versions of the rule's whole
 * state (θ with its momentum, look-ahead sum, statistics: everything that must stay consistent
 * with θ) are immutable; a writer copies the newest into a free slot, applies the rule's receive
 * there and publishes it with one compareExchange of the pointer word (generation << 8 | slot).
 * Slots are recycled once STALE and unread. `readers` is only ever changed with Atomics.add/sub.
 */
const META = 4;
const GEN = 0;
const STATE = 1;
const READERS = 2;
const VER = 3;

export const SlotState = { FREE: 0, PRIVATE: 1, LIVE: 2, STALE: 3 } as const;
const GEN_MASK = 0x7fffff; // 23 bits: generation << 8 stays a positive Int32

/** 2T + 2 slots: per thread one pinned version and one private copy, the live one, one snapshot reader. */
export function leashedSlots(threads: number): number {
  return 2 * threads + 2;
}

/** Slot 0 (where the main thread's rule wrote the initial state) is the first published version. */
export function initLeashed(memory: ParameterMemory, control: SharedControl): void {
  const meta = new Int32Array(memory.meta!);
  meta[GEN] = 1;
  meta[STATE] = SlotState.LIVE;
  Atomics.store(control.cells, Cell.GENERATION, 1);
  Atomics.store(control.cells, Cell.POINTER, (1 << 8) | 0);
}

/** The slot of the newest published version (where a consistent copy of the whole state is). */
export function publishedSlot(control: SharedControl): number {
  return Atomics.load(control.cells, Cell.POINTER) & 0xff;
}

/** A resumed run: the first published version (slot 0, see initLeashed) is version `version`, not 0. */
export function setFirstVersion(memory: ParameterMemory, version: number): void {
  Atomics.store(new Int32Array(memory.meta!), VER, version);
}

/**
 * @param rules the rule bound to each slot's copy of the state.
 * @param persistence B: a gradient is dropped after B + 1 failed publish attempts; null = never.
 * @param scanFrom where this thread starts looking for free slots (spreads threads over slots).
 */
export function makeLeashedStore(memory: ParameterMemory, rules: Rule[], control: SharedControl, persistence: number | null, scanFrom: number, trajectory: Float32Array | null): ParameterStore {
  const { slots, dim } = memory;
  const bytes = memory.layout.bytes;
  const meta = new Int32Array(memory.meta!);
  const copies = Array.from({ length: slots }, (_, s) => new Uint8Array(memory.state, s * bytes, bytes));
  const { cells } = control;
  // The transforms rewrite g: each attempt starts from the gradient as computed.
  const work = new Float32Array(dim);

  const unpin = (slot: number): void => {
    const m = slot * META;
    // Whoever leaves a STALE slot unread frees it; the CAS makes sure only one of them does.
    if (Atomics.sub(meta, m + READERS, 1) === 1 && Atomics.load(meta, m + STATE) === SlotState.STALE) {
      Atomics.compareExchange(meta, m + STATE, SlotState.STALE, SlotState.FREE);
    }
  };

  /** Pin the newest published version: announce the read, then check it is still that version. */
  const pin = (): { slot: number; pointer: number } => {
    for (;;) {
      const pointer = Atomics.load(cells, Cell.POINTER);
      const slot = pointer & 0xff;
      const m = slot * META;
      Atomics.add(meta, m + READERS, 1);
      if (Atomics.load(meta, m + STATE) === SlotState.LIVE && Atomics.load(meta, m + GEN) === pointer >>> 8) return { slot, pointer };
      unpin(slot);
    }
  };

  const allocate = (): number => {
    const deadline = performance.now() + 2000;
    for (;;) {
      for (let k = 0; k < slots; k++) {
        const s = (scanFrom + k) % slots;
        const m = s * META + STATE;
        if (Atomics.load(meta, m) === SlotState.FREE && Atomics.compareExchange(meta, m, SlotState.FREE, SlotState.PRIVATE) === SlotState.FREE) return s;
      }
      // With 2T + 2 slots a free one always exists once in-flight unpins land; running out is a bug.
      if (performance.now() > deadline) throw new Error(`leashed: no free state slot among ${slots} for 2 s`);
    }
  };

  return {
    read(worker, lr, x) {
      const { slot } = pin();
      rules[slot].send(worker, lr, x);
      const version = Atomics.load(meta, slot * META + VER);
      unpin(slot);
      return { version, overlapped: false };
    },
    write(worker, x, g, v0, lr) {
      for (let attempts = 1; ; attempts++) {
        const { slot: newest, pointer } = pin();
        const vNewest = Atomics.load(meta, newest * META + VER);
        const tau = vNewest - v0;
        const mine = allocate();
        copies[mine].set(copies[newest]);
        work.set(g);
        const stats = rules[mine].receive(worker, x, work, { tau, lr });
        const gen = (Atomics.add(cells, Cell.GENERATION, 1) + 1) & GEN_MASK;
        const m = mine * META;
        Atomics.store(meta, m + VER, vNewest + 1);
        Atomics.store(meta, m + GEN, gen);
        Atomics.store(meta, m + STATE, SlotState.LIVE);
        if (Atomics.compareExchange(cells, Cell.POINTER, pointer, (gen << 8) | mine) === pointer) {
          Atomics.store(meta, newest * META + STATE, SlotState.STALE);
          unpin(newest);
          Atomics.add(cells, Cell.VERSION, 1);
          // A published version is immutable, so this is exactly θ after update vNewest + 1.
          if (trajectory && (vNewest + 1) * dim <= trajectory.length) trajectory.set(rules[mine].master(), vNewest * dim);
          return { applied: true, tau, attempts, step: vNewest + 1, stats };
        }
        // Never published (its generation never reached the pointer), so no reader can hold it.
        Atomics.store(meta, m + STATE, SlotState.FREE);
        unpin(newest);
        if (persistence !== null && attempts > persistence) return { applied: false, tau, attempts, step: -1, stats };
      }
    },
    snapshot(into) {
      const { slot } = pin();
      into.set(rules[slot].master());
      const version = Atomics.load(meta, slot * META + VER);
      unpin(slot);
      return version;
    },
  };
}

/** Slot states and reader counts, for tests that check nothing leaked after a run. */
export function slotCensus(memory: ParameterMemory): { states: number[]; readers: number[] } {
  const meta = new Int32Array(memory.meta!);
  const states: number[] = [];
  const readers: number[] = [];
  for (let s = 0; s < memory.slots; s++) {
    states.push(Atomics.load(meta, s * META + STATE));
    readers.push(Atomics.load(meta, s * META + READERS));
  }
  return { states, readers };
}
