import type { Rule } from '../../rules/makeRule.ts';
import { withLock } from './futexLock.ts';
import type { ParameterStore } from './parameterStore.ts';
import { Cell, type SharedControl } from './sharedControl.ts';

/**
 * Lock-based and Hogwild! stores: one copy of the rule's state, updated in place. Both keep the
 * seqlock pair STARTED/VERSION (writes begun / writes finished), so a read that overlapped a write
 * is flagged; under the lock that flag must stay 0, which checks the lock itself. Under Hogwild!
 * τ is approximate (the version when this write starts minus the version seen before the
 * unlocked send), and the rule's state (θ, momentum, a look-ahead's S, GA's statistic) is read and
 * written racily: element updates can be lost, and that is measured, not prevented.
 */
export function makeInPlaceStore(rule: Rule, control: SharedControl, locked: boolean, trajectory: Float32Array | null): ParameterStore {
  const { cells } = control;
  const guard = <R>(f: () => R): R => (locked ? withLock(cells, Cell.LOCK, f) : f());
  const dim = rule.dim;

  return {
    read(worker, lr, x) {
      return guard(() => {
        const started = Atomics.load(cells, Cell.STARTED);
        const version = Atomics.load(cells, Cell.VERSION);
        rule.send(worker, lr, x);
        const overlapped = started !== version || Atomics.load(cells, Cell.STARTED) !== started;
        return { version, overlapped };
      });
    },
    write(worker, x, g, v0, lr) {
      return guard(() => {
        const tau = Atomics.load(cells, Cell.VERSION) - v0;
        Atomics.add(cells, Cell.STARTED, 1);
        const stats = rule.receive(worker, x, g, { tau, lr });
        const step = Atomics.add(cells, Cell.VERSION, 1) + 1;
        // θ after this update: exact under the lock, best effort under Hogwild!.
        if (trajectory && step * dim <= trajectory.length) trajectory.set(rule.master(), (step - 1) * dim);
        return { applied: true, tau, attempts: 1, step, stats };
      });
    },
    snapshot(into) {
      return guard(() => {
        const version = Atomics.load(cells, Cell.VERSION);
        into.set(rule.master());
        return version;
      });
    },
  };
}
