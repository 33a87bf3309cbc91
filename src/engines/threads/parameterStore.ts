import type { StalenessScaler } from '../../stepsize/stalenessScaler.ts';
import type { SyncMode } from './syncModes.ts';

/** Parameters a thread computes a gradient on; valid until `release()`. */
export interface ReadView {
  readonly theta: Float32Array;
  /** Updates applied to the vector read (v0). */
  readonly version: number;
  /** The read overlapped a write (seqlock check), so it may be torn; false where that cannot happen. */
  readonly overlapped: boolean;
  release(): void;
}

export interface WriteResult {
  applied: boolean;
  /** Updates applied between this thread's read and its write (of the last attempt). */
  tau: number;
  /** s(τ) used for the (last) attempt. */
  scale: number;
  /** Write attempts: 1 for lock and Hogwild!, CAS attempts for Leashed-SGD. */
  attempts: number;
  /** The version this update produced (1-based update number); −1 when dropped. */
  step: number;
  /** ‖θ_apply − θ_read‖₂/√D where the store still holds the read copy (lock, Hogwild!); else null. */
  gapRmse: number | null;
}

/**
 * Shared parameters under one synchronisation scheme (ALGORITHMS.md §4). `write` applies
 * θ ← θ − lr·s(τ)·g with s from the scaler, calling scaler.scale(τ) before and scaler.observe(τ)
 * after an applied update.
 */
export interface ParameterStore {
  read(): ReadView;
  write(g: Float32Array, v0: number, lr: number, scaler: StalenessScaler): WriteResult;
  /** Copy a consistent (lock, leashed) or best-effort (hogwild) θ into `into`; returns its version. */
  snapshot(into: Float32Array): number;
}

/** The shared buffers of the parameters, passed to every thread in workerData. */
export interface ParameterMemory {
  sync: SyncMode;
  dim: number;
  /** Vector slots: 1, or 2T + 2 for Leashed-SGD. */
  slots: number;
  params: SharedArrayBuffer;
  /** Leashed-SGD per-slot metadata; null otherwise. */
  meta: SharedArrayBuffer | null;
  /** θ after every update (step k at floats (k−1)·D …), when the config returns the trajectory. */
  trajectory: SharedArrayBuffer | null;
}
