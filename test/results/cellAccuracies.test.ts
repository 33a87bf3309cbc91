import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellAccuracies, formatMeanInterval, runAccuracy } from '../../src/results/cellAccuracies.ts';
import { meanInterval } from '../../src/plot/meanInterval.ts';

const rows = [
  { rule: 'ga', workers: 8, seed: 1, status: 'finished', final_test_accuracy: 0.9, final_look_ahead_test_accuracy: 0.91 },
  { rule: 'ga', workers: 8, seed: 2, status: 'diverged', final_test_accuracy: 0.95 },
  { rule: 'ga', workers: 8, seed: 3, status: 'finished', final_test_accuracy: null },
  { rule: 'ga', workers: 32, seed: 1, status: 'finished', final_test_accuracy: 0.7 },
  { rule: 'sa', workers: 8, seed: 1, status: 'finished', final_test_accuracy: 0.8 },
];

test('a cell holds one accuracy per run of that rule and N; a diverged run or a missing value counts as chance', () => {
  assert.deepEqual(cellAccuracies(rows, { rule: 'ga', workers: 8 }, { chance: 0.1 }), [0.9, 0.1, 0.1]);
  assert.deepEqual(cellAccuracies(rows, { rule: 'ga', workers: 8 }, { chance: 0.1, column: 'final_look_ahead_test_accuracy' }), [0.91, 0.1, 0.1]);
  assert.deepEqual(cellAccuracies(rows, { rule: 'sa', workers: 32 }, { chance: 0.1 }), []);
  assert.equal(runAccuracy({ status: 'finished', acc: Number.NaN }, 'acc', 0.25), 0.25);
});

test('mean ± the 95 % t half-width in percent, one seed said as such, none as n/a', () => {
  const xs = [0.9, 0.92, 0.95];
  assert.equal(formatMeanInterval(xs), `${(100 * meanInterval(xs).mean).toFixed(1)}% ± ${(100 * meanInterval(xs).halfWidth!).toFixed(1)}`);
  assert.equal(formatMeanInterval([0.5]), '50.0% (1 seed)');
  assert.equal(formatMeanInterval([]), 'n/a');
});
