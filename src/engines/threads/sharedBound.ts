import { Cell, type SharedControl } from './sharedControl.ts';

const bits = new Int32Array(1);
const asFloat = new Float32Array(bits.buffer);

function toBits(x: number): number {
  asFloat[0] = x;
  return bits[0];
}

function fromBits(b: number): number {
  bits[0] = b;
  return asFloat[0];
}

/**
 * The divergence rule of every engine (run/divergenceGuard.ts) over threads that share one bound:
 * a non-finite loss or gradient, or a loss above the bound. With 'auto' the first thread to see a
 * finite loss sets the bound to 1000 × max(1, |loss|) for all (one compareExchange), so a run has
 * one bound whatever thread got there first; that bound is shared as float32 (one Int32 cell), so it
 * can differ from the simulator's double in the 8th digit.
 */
export function makeSharedBound(control: SharedControl, setting: 'auto' | 'off' | number): { exceeded(loss: number): boolean; limit(): number } {
  const { cells } = control;
  if (typeof setting === 'number') Atomics.compareExchange(cells, Cell.BOUND, 0, toBits(setting));
  const limit = (): number => {
    // A number bound is compared and reported as given (the cell holds it only as float32 bits).
    if (typeof setting === 'number') return setting;
    const b = Atomics.load(cells, Cell.BOUND);
    return b === 0 ? Infinity : fromBits(b);
  };
  return {
    exceeded(loss) {
      if (setting === 'off') return false;
      if (setting === 'auto' && Atomics.load(cells, Cell.BOUND) === 0) {
        Atomics.compareExchange(cells, Cell.BOUND, 0, toBits(1000 * Math.max(1, Math.abs(loss))));
      }
      return loss > limit();
    },
    limit,
  };
}
