import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runThreads } from '../../../src/engines/threads/runThreads.ts';
import { assertNothingLost, base, column, objective, summary } from './threadsInvariant.ts';

test('Leashed-SGD (B unbounded): every update applied, no torn read, slots recycled', async () => {
  const r = await runThreads({ ...base, sync: 'leashed' });
  assertNothingLost(r);
  const s = summary(r);
  const attempts = column(r, 'cas_attempts');
  assert.ok(attempts.every((a) => a >= 1));
  assert.equal(s.cas_failures, attempts.reduce((a, x) => a + x - 1, 0), 'failed publishes = Σ (attempts − 1)');
  assert.equal(s.leashed_slots_in_use, 1, 'only the published vector is left in use');
  assert.equal(s.leashed_pinned_readers, 0);
  // Each of the τ versions published in between moved every coordinate by lr·c = 1: the gap RMSE is τ.
  assert.deepEqual(column(r, 'gap_rmse'), column(r, 'staleness'));
});

test('Leashed-SGD with B = 0 and B = 2: dropped gradients are counted; applied + dropped = submitted', async () => {
  for (const persistence of [0, 2]) {
    const r = await runThreads({ ...base, sync: 'leashed', persistence });
    const s = summary(r);
    const applied = s.applied as number;
    const dropped = s.dropped as number;
    const attempts = column(r, 'cas_attempts');
    assert.equal(s.submitted, base.steps);
    assert.equal(applied + dropped, base.steps);
    assert.equal(r.updates.numRows(), applied);
    assert.ok(attempts.every((a) => a >= 1 && a <= persistence + 1), `at most B + 1 = ${persistence + 1} attempts`);
    // A dropped gradient failed all its B + 1 attempts.
    const failures = attempts.reduce((a, x) => a + x - 1, 0) + dropped * (persistence + 1);
    assert.equal(s.cas_failures, failures);
    // Dropped gradients never touch θ; the applied ones are all there.
    assert.ok(r.theta!.every((v) => v === -applied));
    assert.equal(s.invariant_violations, 0);
    assert.equal(s.leashed_slots_in_use, 1);
    console.log(`leashed B=${persistence}, T=4 on ${s.cores} cores: dropped ${dropped} of ${base.steps}`);
  }
});

test('Leashed-SGD: a pinned vector never changes under its reader while others publish (checked before and after 200 µs of compute)', async () => {
  const r = await runThreads({ ...base, sync: 'leashed', steps: 1500, objective: { ...objective, spinMicros: 200 } });
  const s = summary(r);
  assert.equal(s.invariant_violations, 0);
  assert.ok(r.theta!.every((v) => v === -1500));
  assert.ok((s.staleness_max as number) >= 1, "reads overlapped other threads' publishes");
});
