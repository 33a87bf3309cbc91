import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runThreads } from '../../../src/engines/threads/runThreads.ts';
import { assertNothingLost, base, column, summary } from './threadsInvariant.ts';

test('lock-based: every update applied, no torn read', async () => {
  const r = await runThreads({ ...base, sync: 'lock' });
  assert.equal(r.record.status, 'finished');
  assertNothingLost(r);
  assert.ok(column(r, 'cas_attempts').every((a) => a === 1));
  // Each of the τ updates in between moved every coordinate by lr·c = 1: the gap RMSE is τ exactly.
  assert.deepEqual(column(r, 'gap_rmse'), column(r, 'staleness'));
  assert.equal(r.record.summary!.cores, (await import('node:os')).availableParallelism());
  assert.equal(r.record.engine, 'threads');
});

test("Hogwild!: torn reads and lost element updates are measured and reported consistently", async () => {
  const r = await runThreads({ ...base, sync: 'hogwild' });
  const D = base.objective.dim;
  const s = summary(r);
  assert.equal(s.applied, base.steps);
  assert.equal(s.submitted, base.steps);
  assert.equal(s.torn_reads, column(r, 'torn').filter(Boolean).length, 'summary counts the flagged rows');
  // Recompute lost element updates from the final θ: each coordinate should have moved by `applied`.
  const lost = r.theta!.reduce((a, v) => a + (v + base.steps), 0);
  assert.equal(s.lost_element_updates, lost);
  assert.ok(lost >= 0, 'a lost update leaves a coordinate higher, never lower');
  assert.equal(typeof s.invariant_violations, 'number');
  console.log(`hogwild T=4 on ${s.cores} cores: ${s.torn_reads} reads overlapped a write, ${lost} of ${base.steps * D} element updates lost, ${s.invariant_violations} reads non-uniform`);
});

test('TAIL-τ in workers: s ≡ 1 through update 15T, then one frozen s(τ), non-increasing', async () => {
  const T = 4;
  const r = await runThreads({ ...base, sync: 'lock', workers: T, rule: { base: 'sgd', transforms: [{ name: 'staleness-step', kind: 'tail-tau' }] }, steps: 3000 });
  const step = column(r, 'step');
  const scale = column(r, 'scale');
  const tau = column(r, 'staleness');
  // Under the lock, scale(τ) is called in step order, so once one update sees the frozen window
  // every later one does: from the first update scaled ≠ 1, s depends on τ only.
  const firstScaled = Math.min(...step.filter((_, i) => scale[i] !== 1));
  assert.ok(firstScaled > 15 * T, `first scaled update ${firstScaled} is after the warm-up (15T = ${15 * T})`);
  const byTau = new Map<number, Set<number>>();
  for (let i = 0; i < step.length; i++) {
    if (step[i] < firstScaled) continue;
    if (!byTau.has(tau[i])) byTau.set(tau[i], new Set());
    byTau.get(tau[i])!.add(scale[i]);
  }
  const taus = [...byTau.keys()].sort((a, b) => a - b);
  for (const t of taus) assert.equal(byTau.get(t)!.size, 1, `τ = ${t} got scales ${[...byTau.get(t)!]}`);
  const s = taus.map((t) => [...byTau.get(t)!][0]);
  for (let i = 1; i < s.length; i++) assert.ok(s[i] <= s[i - 1], 'non-increasing in τ');
  assert.ok(s.some((v) => v !== 1), 'TAIL-τ changed some step');
  // lr column = α·s(τ); the lock loses nothing, so θ = θ0 − c·Σ lr exactly up to float32 rounding.
  const lrSum = column(r, 'lr').reduce((a, x) => a + x, 0);
  const expected = -2 * lrSum;
  assert.ok(r.theta!.every((v) => v === r.theta![0]), 'coordinates stay equal');
  assert.ok(Math.abs(r.theta![0] - expected) < 1e-4 * Math.abs(expected));
});

test('time budget, target reached, target missed (not_converged), divergence', async () => {
  // Only the time budget can end this run: it ran at least that long and applied updates meanwhile.
  const timed = await runThreads({ sync: 'hogwild', workers: 2, lr: 0.01, seconds: 0.3, objective: { name: 'quadratic', dim: 50 } });
  assert.equal(timed.record.status, 'finished');
  assert.ok(timed.record.wallTimeSec >= 0.3, `stopped at ${timed.record.wallTimeSec} s, before the budget`);
  assert.ok(timed.updates.numRows() > 0);

  const quad = { sync: 'lock', workers: 2, lr: 0.5, steps: 4000, evalEvery: 20, evalSplits: ['train', 'test'], objective: { name: 'quadratic', dim: 50, noise: 0.1 } } as const;
  const hit = await runThreads({ ...quad, target: { metric: 'train_loss', value: 0.5 } });
  assert.equal(hit.record.status, 'finished');
  const s = hit.record.summary!;
  assert.ok((s.target_reached_step as number) > 0 && (s.target_reached_step as number) < 4000);
  assert.ok((s.target_reached_time as number) > 0);
  assert.ok(hit.updates.numRows() < 4000, 'stopAtTarget ended the run early');
  // The target step is the first train evaluation at or below the target. Threads apply a few more
  // updates before they see the stop, and a stale burst can raise the loss again, so the last
  // evaluation need not be below the target.
  const train = hit.evals.filter((d: { split: string }) => d.split === 'train');
  const steps = train.array('step') as number[];
  const trainLoss = train.array('loss') as number[];
  const at = steps.indexOf(s.target_reached_step as number);
  assert.ok(at > 0, 'the target step has an evaluation row');
  assert.ok(trainLoss[at] <= 0.5, `loss at the target step ${trainLoss[at]}`);
  assert.ok(trainLoss.slice(0, at).every((l) => l > 0.5), 'no earlier evaluation met the target');

  const missed = await runThreads({ ...quad, steps: 200, target: { metric: 'train_loss', value: -1 } });
  assert.equal(missed.record.status, 'not_converged');
  assert.equal(missed.record.summary!.target_reached_step, null);
  assert.equal(missed.updates.numRows(), 200);

  const diverged = await runThreads({ sync: 'lock', workers: 2, lr: 5, steps: 5000, objective: { name: 'quadratic', dim: 10 } });
  assert.equal(diverged.record.status, 'diverged');
  assert.ok(diverged.record.divergedAtStep! > 0);
  assert.ok(diverged.updates.numRows() < 5000);
  assert.ok((diverged.updates.array('loss') as number[]).every(Number.isFinite), 'no NaN rows');
});
