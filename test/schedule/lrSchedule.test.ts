import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/validate.ts';
import { makeLrSchedule } from '../../src/schedule/lrSchedule.ts';

test('constant: η everywhere', () => {
  const lr = makeLrSchedule({ kind: 'constant' }, 0.1, 1000);
  for (const s of [0, 1, 999, 1e9]) assert.equal(lr(s), 0.1);
});

test('step decay at epochs counts samples: η ÷10 at epochs 80 and 120 (the GA/DANA recipe)', () => {
  const lr = makeLrSchedule({ kind: 'step', milestones: [80, 120] }, 0.1, 50_000);
  assert.equal(lr(0), 0.1);
  assert.equal(lr(80 * 50_000 - 1), 0.1);
  assert.ok(Math.abs(lr(80 * 50_000) - 0.01) < 1e-15);
  assert.ok(Math.abs(lr(120 * 50_000 - 128) - 0.01) < 1e-15);
  assert.ok(Math.abs(lr(120 * 50_000) - 0.001) < 1e-15);
});

test('linear warmup from warmupStartFactor·η to η, multiplied into the step schedule', () => {
  const lr = makeLrSchedule({ kind: 'step', milestones: [1], factor: 0.5, warmupEpochs: 2, warmupStartFactor: 0 }, 1, 100);
  assert.equal(lr(0), 0);
  assert.equal(lr(50), 0.25);
  assert.equal(lr(100), 0.5 * 0.5, 'half-way through the warmup and past the milestone');
  assert.equal(lr(200), 0.5);
  const def = makeLrSchedule({ kind: 'constant', warmupEpochs: 1 }, 1, 10);
  assert.equal(def(0), 0.1, 'default warmupStartFactor 0.1');
  assert.equal(def(5), 0.55);
});

test('bad schedules are ConfigErrors naming the field', () => {
  assert.throws(() => makeLrSchedule({ kind: 'cosine' } as never, 0.1, 10), (e: Error) => e instanceof ConfigError && /lrSchedule\.kind/.test(e.message));
  assert.throws(() => makeLrSchedule({ kind: 'step', milestones: [] }, 0.1, 10), /lrSchedule\.milestones: Too small/);
  assert.throws(() => makeLrSchedule({ kind: 'step', milestones: [1], factor: 2 }, 0.1, 10), /lrSchedule\.factor: Too big/);
  assert.throws(() => makeLrSchedule({ kind: 'constant', warmupEpochs: -1 }, 0.1, 10), /lrSchedule\.warmupEpochs: Too small/);
});

test("the authors' shape at any scale: warm-up from η/N over 5/160 of the budget (≥ 200 updates), ×0.1 at 1/2 and 3/4", () => {
  const B = 128;
  const steps = 16_000;
  const spec = { kind: 'step' as const, milestoneFractions: [0.5, 0.75], warmupFraction: 5 / 160, warmupMinUpdates: 200, warmupStartFactor: 'inverse-workers' as const };
  const lr = makeLrSchedule(spec, 0.1, 50_000, { workers: 32, samplesPerUpdate: B, budgetSamples: steps * B });
  const warm = 500; // 5/160 of 16 000 updates
  assert.equal(lr(0), 0.1 / 32, 'the first update uses lr/N');
  assert.ok(Math.abs(lr((warm / 2) * B) - 0.1 * (1 / 32 + (1 - 1 / 32) / 2)) < 1e-15, 'linear in the updates');
  assert.equal(lr(warm * B), 0.1);
  assert.equal(lr((steps / 2) * B - 1), 0.1);
  assert.ok(Math.abs(lr((steps / 2) * B) - 0.01) < 1e-15);
  assert.ok(Math.abs(lr((3 * steps / 4) * B) - 0.001) < 1e-15);
  // A short run: 5/160 of 2 000 updates is 62.5, so the minimum of 200 updates holds.
  const short = makeLrSchedule(spec, 0.1, 50_000, { workers: 8, samplesPerUpdate: B, budgetSamples: 2000 * B });
  assert.ok(short(199 * B) < 0.1 && short(200 * B) === 0.1);
});

test('budget fractions need a budget; milestones and fractions exclude each other', () => {
  assert.throws(() => makeLrSchedule({ kind: 'constant', warmupFraction: 0.1 }, 0.1, 10), /lrSchedule: warmupFraction is a fraction of the budget: give steps or epochs/);
  assert.throws(() => makeLrSchedule({ kind: 'step', milestones: [1], milestoneFractions: [0.5] }, 0.1, 10), /lrSchedule\.milestones: give milestones \(epochs\) or milestoneFractions/);
  assert.throws(() => makeLrSchedule({ kind: 'step' }, 0.1, 10), /exactly one of them/);
  assert.throws(() => makeLrSchedule({ kind: 'constant', warmupFraction: 0.1, warmupEpochs: 1 }, 0.1, 10), /lrSchedule\.warmupFraction: give warmupEpochs or warmupFraction, not both/);
  assert.throws(() => makeLrSchedule({ kind: 'step', milestoneFractions: [0.75, 0.5] }, 0.1, 10, { workers: 1, samplesPerUpdate: 1, budgetSamples: 10 }), /milestoneFractions must be strictly increasing/);
});
