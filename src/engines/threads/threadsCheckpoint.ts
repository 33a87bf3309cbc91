import type { EvalLog, EvalLogSnapshot } from '../../run/evalLog.ts';
import { publishedSlot, setFirstVersion } from './leashedStore.ts';
import type { ParameterMemory } from './parameterStore.ts';
import { Cell, type SharedControl } from './sharedControl.ts';
import type { ThreadRows } from './threadRows.ts';
import type { ThreadStats } from './workerMessages.ts';

/** The counts of ThreadStats that add up across a checkpoint. */
export type ThreadCounts = Pick<ThreadStats, 'submitted' | 'applied' | 'dropped' | 'overlapped' | 'casFailures'> & { invariantViolations: number | null };

export const NO_COUNTS: ThreadCounts = { submitted: 0, applied: 0, dropped: 0, overlapped: 0, casFailures: 0, invariantViolations: null };

/**
 * The threads engine's state while no update is in flight (every thread waits at the checkpoint,
 * or has exited): the version, the rule's whole state as one copy of its shared layout (the
 * published copy under Leashed-SGD), the divergence bound, every row and evaluation so far, the
 * threads' counts, and the wall time spent. Nothing of how the threads interleaved is kept: with
 * more than one thread a resumed run continues from this state, not along the path it would have
 * taken; with one thread under the lock that path is determined, and resuming is exact.
 */
export interface ThreadsState {
  step: number;
  /** Minibatches handed out (more than step when Leashed-SGD dropped some). */
  nextBatch: number;
  elapsedSec: number;
  ruleBytes: Uint8Array;
  /** The BOUND cell (float32 bits of the loss bound; 0 = not set yet). */
  boundBits: number;
  rows: ThreadRows[];
  evals: EvalLogSnapshot;
  /** θ after each of the first `step` updates, when the run returns its trajectory. */
  trajectory: Float32Array | null;
  counts: ThreadCounts;
}

/** Sum of the counts so far: before the resumed checkpoint plus each thread's. */
export function addCounts(before: ThreadCounts, threads: readonly (ThreadStats | null)[]): ThreadCounts {
  const out = { ...before };
  for (const s of threads) {
    if (!s) continue;
    out.submitted += s.submitted;
    out.applied += s.applied;
    out.dropped += s.dropped;
    out.overlapped += s.overlapped;
    out.casFailures += s.casFailures;
    if (s.invariantViolations !== null) out.invariantViolations = (out.invariantViolations ?? 0) + s.invariantViolations;
  }
  return out;
}

/** Copy the state out of shared memory; call it only while no thread is inside an update. */
export function captureThreadsState(memory: ParameterMemory, control: SharedControl, args: { rows: ThreadRows[]; evals: EvalLog; elapsedSec: number; counts: ThreadCounts }): ThreadsState {
  const step = Atomics.load(control.cells, Cell.VERSION);
  const slot = memory.sync === 'leashed' ? publishedSlot(control) : 0;
  const bytes = memory.layout.bytes;
  return {
    step,
    nextBatch: Atomics.load(control.cells, Cell.NEXT_BATCH),
    elapsedSec: args.elapsedSec,
    ruleBytes: new Uint8Array(memory.state, slot * bytes, bytes).slice(),
    boundBits: Atomics.load(control.cells, Cell.BOUND),
    rows: args.rows.map((b) => ({ thread: b.thread, n: b.n, rows: Object.fromEntries(Object.entries(b.rows).map(([c, a]) => [c, a.slice(0, b.n)])) as ThreadRows['rows'] })),
    evals: args.evals.snapshot(),
    trajectory: memory.trajectory ? new Float32Array(memory.trajectory, 0, step * memory.dim).slice() : null,
    counts: args.counts,
  };
}

/**
 * Write a checkpoint's state into a run's fresh shared memory, after every thread has bound its
 * rule (binding writes the initial state) and before the start barrier: the rule's state into the
 * first copy, the version, the next minibatch to hand out and the bound.
 */
export function restoreThreadsState(memory: ParameterMemory, control: SharedControl, s: ThreadsState): void {
  const bytes = memory.layout.bytes;
  if (s.ruleBytes.length !== bytes) throw new Error(`checkpoint: the saved rule state has ${s.ruleBytes.length} bytes, this run's layout ${bytes}`);
  new Uint8Array(memory.state, 0, bytes).set(s.ruleBytes);
  const { cells } = control;
  Atomics.store(cells, Cell.VERSION, s.step);
  Atomics.store(cells, Cell.STARTED, s.step);
  Atomics.store(cells, Cell.NEXT_BATCH, s.nextBatch);
  Atomics.store(cells, Cell.BOUND, s.boundBits);
  if (memory.sync === 'leashed') setFirstVersion(memory, s.step);
  if (memory.trajectory && s.trajectory) new Float32Array(memory.trajectory).set(s.trajectory);
}
