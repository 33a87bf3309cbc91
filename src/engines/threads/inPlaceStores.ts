import { Cell, type SharedControl } from './sharedControl.ts';
import { sgdUpdateWithGap } from '../../rules/bases/thetaOps.ts';
import { withLock } from './futexLock.ts';
import type { ParameterMemory, ParameterStore, ReadView } from './parameterStore.ts';

/**
 * Lock-based and Hogwild! stores: one θ updated in place. Both keep the seqlock pair
 * STARTED/VERSION (writes begun / writes finished), so a read that overlapped a write is flagged;
 * under the lock that flag must stay 0, which checks the lock itself. Under Hogwild! τ is
 * approximate: the version when this write starts minus the version seen before the (unlocked) copy.
 */
export function makeInPlaceStore(memory: ParameterMemory, control: SharedControl, locked: boolean, trajectory: Float32Array | null): ParameterStore {
  const theta = new Float32Array(memory.params, 0, memory.dim);
  const local = new Float32Array(memory.dim);
  const gap = { gapSq: 0 };
  const { cells } = control;
  const guard = <R>(f: () => R): R => (locked ? withLock(cells, Cell.LOCK, f) : f());

  const copyInto = (into: Float32Array): { version: number; overlapped: boolean } => {
    const started = Atomics.load(cells, Cell.STARTED);
    const version = Atomics.load(cells, Cell.VERSION);
    into.set(theta);
    const overlapped = started !== version || Atomics.load(cells, Cell.STARTED) !== started;
    return { version, overlapped };
  };

  return {
    read(): ReadView {
      const { version, overlapped } = guard(() => copyInto(local));
      return { theta: local, version, overlapped, release() {} };
    },
    write(g, v0, lr, scaler) {
      const { tau, scale, step, gapRmse } = guard(() => {
        const v = Atomics.load(cells, Cell.VERSION);
        const tau = v - v0;
        const scale = scaler.scale(tau);
        const a = lr * scale;
        Atomics.add(cells, Cell.STARTED, 1);
        // `local` still holds the vector this gradient was computed on, so the gap costs one
        // subtraction per element of a loop that touches θ anyway.
        // Hogwild!: plain read-modify-write of shared memory; concurrent writers may lose element updates.
        sgdUpdateWithGap(theta, g, a, local, gap);
        const step = Atomics.add(cells, Cell.VERSION, 1) + 1;
        // θ after this update: exact under the lock, best effort under Hogwild!.
        if (trajectory && step * theta.length <= trajectory.length) trajectory.set(theta, (step - 1) * theta.length);
        return { tau, scale, step, gapRmse: Math.sqrt(gap.gapSq / theta.length) };
      });
      scaler.observe(tau);
      return { applied: true, tau, scale, attempts: 1, step, gapRmse };
    },
    snapshot(into) {
      return guard(() => copyInto(into)).version;
    },
  };
}
