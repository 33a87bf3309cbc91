/**
 * The Int32 cells every thread shares besides the parameters. All access goes through Atomics.
 * `VERSION` counts applied updates; `STARTED` counts writes begun (a seqlock with VERSION, used
 * to flag reads that overlapped a write); `NEXT_BATCH` hands out minibatch indices.
 */
export const Cell = {
  VERSION: 0,
  STARTED: 1,
  NEXT_BATCH: 2,
  LOCK: 3,
  /** 0 while running; set to 1 to ask every thread to stop after its update in flight. */
  STOP: 4,
  /** The start barrier: threads wait until it is 1. */
  GO: 5,
  /** Leashed-SGD: generation << 8 | slot of the newest published vector. */
  POINTER: 6,
  /** Leashed-SGD: last generation handed out. */
  GENERATION: 7,
  /** Version at which a thread saw a diverging update (non-finite, or a loss over the bound), −1 if none. */
  DIVERGED_AT: 8,
  /** The divergence bound on the minibatch loss, as float32 bits (0 = not set yet: 'auto' sets it from the first loss). */
  BOUND: 9,
  /** Checkpoints: threads wait before taking this minibatch index (none pending: NO_CHECKPOINT). */
  CHECKPOINT_AT: 10,
  /** Bumped (and notified) by the main thread to release threads waiting at a checkpoint. */
  RELEASE: 11,
} as const;
const CELLS = 12;
/** CHECKPOINT_AT when no checkpoint is pending (beyond any Int32 minibatch index). */
export const NO_CHECKPOINT = 0x7fffffff;
// The shared start time (a Float64) follows the cells, 8-byte aligned.
const START_OFFSET = Math.ceil((CELLS * 4) / 8) * 8;

export interface SharedControl {
  readonly buffer: SharedArrayBuffer;
  readonly cells: Int32Array;
  /** performance.timeOrigin + performance.now() at the start barrier (ms), shared by every thread. */
  readonly startMs: Float64Array;
}

export function allocateControl(): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(START_OFFSET + 8);
  const cells = new Int32Array(buffer, 0, CELLS);
  cells[Cell.DIVERGED_AT] = -1;
  cells[Cell.CHECKPOINT_AT] = NO_CHECKPOINT;
  return buffer;
}

export function attachControl(buffer: SharedArrayBuffer): SharedControl {
  return { buffer, cells: new Int32Array(buffer, 0, CELLS), startMs: new Float64Array(buffer, START_OFFSET, 1) };
}

/** Milliseconds on a clock all threads share (each thread's performance.now() has its own origin). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function stopRequested(control: SharedControl): boolean {
  return Atomics.load(control.cells, Cell.STOP) !== 0;
}

/** Ask every thread to stop, and wake any waiting at the start barrier, the lock or a checkpoint. */
export function requestStop(control: SharedControl): void {
  Atomics.store(control.cells, Cell.STOP, 1);
  Atomics.store(control.cells, Cell.GO, 1);
  Atomics.notify(control.cells, Cell.GO);
  Atomics.notify(control.cells, Cell.RELEASE);
}
