import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHANCE_MARGIN, LOSS_FALL, collapseOf } from '../../src/run/collapse.ts';
import { LOSS_WINDOW, UpdateLog } from '../../src/run/updateLog.ts';
import { RUN_SUMMARY_KEYS, runExperiment } from '../../src/run/runExperiment.ts';

const evals = (...pairs: [number, number][]) => pairs.map(([step, accuracy]) => ({ step, accuracy }));
const fellLoss = { first: 2.3, lowest: 2.3 * LOSS_FALL - 0.01, lowestStep: 150 };
const flatLoss = { first: 2.3, lowest: 2.3 * LOSS_FALL + 0.05, lowestStep: 150 };

test('collapseOf: a run that learned and ended at chance collapsed, at the first evaluation at chance after its best', () => {
  const chanceEnd = 0.1 + CHANCE_MARGIN;
  // DANA-Zero at N = 16, η = 0.05 (README): 0.25 at update 200, chance from 300 on.
  assert.deepEqual(collapseOf(10, evals([0, 0.095], [100, 0.17], [200, 0.253], [300, 0.103], [400, 0.098], [2000, 0.114]), flatLoss), { collapsed: true, collapse_step: 300, chance_accuracy: 0.1 });
  // Only the start and the end evaluated: the loss track shows it learned; the end is where it is known to be at chance.
  assert.deepEqual(collapseOf(10, evals([0, 0.09], [2000, chanceEnd]), fellLoss), { collapsed: true, collapse_step: 2000, chance_accuracy: 0.1 });
  // Never learned (stayed at chance, loss did not fall): not a collapse.
  assert.equal(collapseOf(10, evals([0, 0.09], [2000, 0.1]), flatLoss).collapsed, false);
  assert.equal(collapseOf(10, evals([0, 0.09], [2000, 0.1]), null).collapsed, false);
  // Ended above chance: trained.
  assert.deepEqual(collapseOf(10, evals([0, 0.09], [2000, chanceEnd + 0.01]), fellLoss), { collapsed: false, collapse_step: null, chance_accuracy: 0.1 });
  // Two classes: chance is 0.5.
  assert.equal(collapseOf(2, evals([0, 0.5], [10, 0.9], [20, 0.51]), null).collapsed, true);
  // Regression, objectives, no test evaluation: no notion of chance.
  assert.deepEqual(collapseOf(undefined, evals([0, 0.5]), fellLoss), { collapsed: null, collapse_step: null, chance_accuracy: null });
  assert.deepEqual(collapseOf(10, [], fellLoss), { collapsed: null, collapse_step: null, chance_accuracy: 0.1 });
});

test('UpdateLog.lossTrack: means of windows of updates, the first and the lowest with the step ending it', () => {
  const log = new UpdateLog([], 1, 100, 'quick');
  const row = (step: number, loss: number) => ({ step, worker: 0, staleness: 0, gapRmse: null, lr: 0.1, scale: 1, penaltyMean: 1, penaltyMax: 1, loss, samples: step });
  for (let s = 1; s < LOSS_WINDOW; s++) log.record(row(s, 2), {});
  assert.equal(log.lossTrack, null, 'no full window yet');
  log.record(row(LOSS_WINDOW, 2), {});
  for (let s = LOSS_WINDOW + 1; s <= 3 * LOSS_WINDOW; s++) log.record(row(s, s <= 2 * LOSS_WINDOW ? 1 : NaN), {});
  log.record(row(3 * LOSS_WINDOW + 1, 3), {});
  // The NaN losses of the third window are skipped, so it is not complete yet.
  assert.deepEqual(log.lossTrack, { first: 2, lowest: 1, lowestStep: 2 * LOSS_WINDOW });
});

test('every run summary has collapsed, collapse_step and chance_accuracy (null for an objective without accuracy)', async () => {
  for (const k of ['collapsed', 'collapse_step', 'chance_accuracy'] as const) assert.ok((RUN_SUMMARY_KEYS as readonly string[]).includes(k));
  const r = await runExperiment({ objective: { name: 'quadratic', dim: 5 }, lr: 0.05, steps: 30 });
  assert.equal(r.record.summary.collapsed, null);
  assert.equal(r.record.summary.chance_accuracy, null);
});
