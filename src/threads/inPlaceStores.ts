import { Cell, type SharedControl } from './sharedControl.ts';
import { withLock } from './futexLock.ts';
import type { ParameterMemory, ParameterStore, ReadView } from './parameterStore.ts';

/**
 * Lock-based and Hogwild! stores: one θ updated in place. Both keep the seqlock pair
 * STARTED/VERSION (writes begun / writes finished), so a read that overlapped a write is flagged;
 * under the lock that flag must stay 0, which checks the lock itself. Under Hogwild! τ is
 * approximate: the version when this write starts minus the version seen before the (unlocked) copy.
 */
export function makeInPlaceStore(memory: ParameterMemory, control: SharedControl, locked: boolean): ParameterStore {
  const theta = new Float32Array(memory.params, 0, memory.dim);
  const local = new Float32Array(memory.dim);
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
        const sq = applyAndMeasureGap(theta, local, g, a);
        return { tau, scale, step: Atomics.add(cells, Cell.VERSION, 1) + 1, gapRmse: Math.sqrt(sq / theta.length) };
      });
      scaler.observe(tau);
      return { applied: true, tau, scale, attempts: 1, step, gapRmse };
    },
    snapshot(into) {
      return guard(() => copyInto(into)).version;
    },
  };
}

/**
 * θ ← θ − a·g in place, returning Σ (θ_j − x_j)² over θ before the step. Four partial sums
 * break the add chain; the n mod 4 leftovers go first so that V8's on-stack compiled loop has no
 * untried code after it (which deoptimised on every call).
 */
function applyAndMeasureGap(theta: Float32Array, x: Float32Array, g: Float32Array, a: number): number {
  const n = theta.length;
  const r = n & 3;
  let q0 = 0;
  let q1 = 0;
  let q2 = 0;
  let q3 = 0;
  let j = 0;
  for (; j < r; j++) {
    const t = theta[j];
    const d = t - x[j];
    q0 += d * d;
    theta[j] = t - a * g[j];
  }
  for (; j < n; j += 4) {
    const t0 = theta[j];
    const t1 = theta[j + 1];
    const t2 = theta[j + 2];
    const t3 = theta[j + 3];
    const d0 = t0 - x[j];
    const d1 = t1 - x[j + 1];
    const d2 = t2 - x[j + 2];
    const d3 = t3 - x[j + 3];
    q0 += d0 * d0;
    q1 += d1 * d1;
    q2 += d2 * d2;
    q3 += d3 * d3;
    theta[j] = t0 - a * g[j];
    theta[j + 1] = t1 - a * g[j + 1];
    theta[j + 2] = t2 - a * g[j + 2];
    theta[j + 3] = t3 - a * g[j + 3];
  }
  return q0 + q1 + q2 + q3;
}
