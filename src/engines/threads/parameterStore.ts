import type { UpdateStats } from '../../rules/makeRule.ts';
import type { StateLayout } from './sharedRuleState.ts';
import type { SyncMode } from './syncModes.ts';

/** What a thread read: the parameters are in its own buffer x (a send of the rule, ALGORITHMS.md §2). */
export interface ReadResult {
  /** Updates applied to the state the send read (v0). */
  version: number;
  /** The read overlapped a write (seqlock check), so it may be torn; false where that cannot happen. */
  overlapped: boolean;
}

export interface WriteResult {
  applied: boolean;
  /** Updates applied between this thread's read and its write (of the last attempt). */
  tau: number;
  /** Write attempts: 1 for lock and Hogwild!, CAS attempts for Leashed-SGD. */
  attempts: number;
  /** The version this update produced (1-based update number); −1 when dropped. */
  step: number;
  /** The rule's figures of the applied update (gap, penalties, step size, checksum of θ). */
  stats: UpdateStats;
}

/**
 * The rule's state shared by the threads under one synchronisation scheme (ALGORITHMS.md §4):
 * synchronisation (how a consistent or inconsistent view is read, how an update is published) is
 * the store's; the update itself is the rule's (send at read, receive at write).
 */
export interface ParameterStore {
  /** The rule's send for `worker` at learning rate `lr`, into the thread's own buffer x. */
  read(worker: number, lr: number, x: Float32Array): ReadResult;
  /** The rule's receive of the gradient g computed on x (read at version v0); g may be rewritten. */
  write(worker: number, x: Float32Array, g: Float32Array, v0: number, lr: number): WriteResult;
  /** Copy a consistent (lock, leashed) or best-effort (hogwild) master θ into `into`; returns its version. */
  snapshot(into: Float32Array): number;
}

/** The shared buffers of the rule's state, passed to every thread in workerData. */
export interface ParameterMemory {
  sync: SyncMode;
  dim: number;
  /** Copies of the state: 1, or 2T + 2 for Leashed-SGD (each published version is one). */
  slots: number;
  layout: StateLayout;
  /** slots × layout.bytes: every copy of the rule's state (θ first). */
  state: SharedArrayBuffer;
  /** Leashed-SGD per-slot metadata; null otherwise. */
  meta: SharedArrayBuffer | null;
  /** θ after every update (step k at floats (k−1)·D …), when the config returns the trajectory. */
  trajectory: SharedArrayBuffer | null;
}
