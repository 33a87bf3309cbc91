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
