/**
 * A mutex on one Int32 cell (Drepper's "futexes are tricky", mutex 2): 0 free, 1 held, 2 held
 * with waiters. Acquire is a compareExchange; contended threads sleep in Atomics.wait and the
 * releaser wakes one with Atomics.notify, so waiting threads do not burn the machine's 2 cores.
 */
export function lock(cells: Int32Array, index: number): void {
  let c = Atomics.compareExchange(cells, index, 0, 1);
  if (c === 0) return;
  do {
    if (c === 2 || Atomics.compareExchange(cells, index, 1, 2) !== 0) Atomics.wait(cells, index, 2);
  } while ((c = Atomics.compareExchange(cells, index, 0, 2)) !== 0);
}

export function unlock(cells: Int32Array, index: number): void {
  if (Atomics.sub(cells, index, 1) !== 1) {
    Atomics.store(cells, index, 0);
    Atomics.notify(cells, index, 1);
  }
}

/** Run `f` holding the lock; the lock is released even if `f` throws. */
export function withLock<R>(cells: Int32Array, index: number, f: () => R): R {
  lock(cells, index);
  try {
    return f();
  } finally {
    unlock(cells, index);
  }
}
