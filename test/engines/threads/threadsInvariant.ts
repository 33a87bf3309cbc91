import assert from 'node:assert/strict';
import type { RunResult } from '../../../src/run/runRecord.ts';

// Shared by the threads and leashed tests. Invariant runs on real worker threads with the built-in
// constant-gradient objective (no TensorFlow.js in the workers): every update moves every
// coordinate by exactly lr·c = 1 (a power of two, so float32 arithmetic is exact), hence after a
// run each coordinate must equal θ0 − applied unless element updates were lost, and every
// consistent read has equal coordinates.
export const objective = { name: 'constant-gradient', dim: 2000, c: 2 } as const;
export const base = { workers: 4, lr: 0.5, steps: 6000, objective } as const;

export function column(r: RunResult, name: string): number[] {
  return Array.from(r.updates.array(name) as ArrayLike<number>);
}

export function summary(r: RunResult): Record<string, number | string | boolean | null> {
  return r.record.summary!;
}

/** applied = submitted = budget, no torn or non-uniform read, θ exactly θ0 − applied, steps 1..N. */
export function assertNothingLost(r: RunResult): void {
  const s = summary(r);
  assert.equal(s.submitted, base.steps);
  assert.equal(s.applied, base.steps, 'applied = submitted');
  assert.equal(r.updates.numRows(), base.steps);
  assert.equal(s.dropped, 0);
  assert.equal(s.torn_reads, 0, 'no read overlapped a write');
  assert.equal(s.invariant_violations, 0, 'every vector read had equal coordinates');
  assert.equal(s.lost_element_updates, 0);
  assert.ok(r.theta!.every((v) => v === -base.steps), `θ = ${r.theta![0]} … , expected ${-base.steps} everywhere`);
  assert.deepEqual(column(r, 'step'), Array.from({ length: base.steps }, (_, i) => i + 1), 'steps are the versions 1..N, each once');
  const tau = column(r, 'staleness');
  assert.ok(tau.every((t) => Number.isInteger(t) && t >= 0));
  assert.ok(tau.every((t, i) => t < i + 1), 'τ never exceeds the updates applied before');
}
