import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellAccuracies, formatMeanInterval, judgeCells, protocolContrastLine, runAccuracy } from '../../src/results/cellAccuracies.ts';
import { compareForClaim, formatDifference } from '../../src/results/claimVerdict.ts';
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

test('a claim judged from two cells: the comparison of their per-seed accuracies, named by rule and N; null when a cell is empty', () => {
  const more = [...rows, { rule: 'sa', workers: 8, seed: 2, status: 'finished', final_test_accuracy: 0.82 }];
  const j = judgeCells(more, 'GA > SA', { rule: 'ga', workers: 8 }, { rule: 'sa', workers: 8 }, { chance: 0.1, margin: 0.01 })!;
  const c = compareForClaim([0.9, 0.1, 0.1], [0.8, 0.82], { margin: 0.01 });
  assert.deepEqual(j, {
    claim: 'GA > SA', workers: 8, a: 'ga N=8', b: 'sa N=8', mean_a: c.meanA, mean_b: c.meanB, difference: c.difference, lower: c.lower, upper: c.upper,
    margin: 0.01, seeds: 2, verdict: c.verdict, xa: [0.9, 0.1, 0.1], xb: [0.8, 0.82], comparison: c,
  });
  assert.equal(judgeCells(more, 'x', { rule: 'ga', workers: 32 }, { rule: 'ga', workers: 8 }, { chance: 0.1 })!.workers, 32, 'the larger N');
  assert.equal(judgeCells(more, 'x', { rule: 'sa', workers: 32 }, { rule: 'sa', workers: 8 }, { chance: 0.1 }), null);
});

test('a rule under the two protocols as one line, its verdict in words', () => {
  const hi = [0.9, 0.91, 0.92];
  const lo = [0.5, 0.52, 0.51];
  assert.equal(protocolContrastLine('ga', hi, lo), `- ga: authors ${formatMeanInterval(hi)}, contrast ${formatMeanInterval(lo)}; authors − contrast ${formatDifference(compareForClaim(hi, lo))}: higher under the authors' protocol`);
  assert.match(protocolContrastLine('ga', lo, hi), /: lower under the authors' protocol$/);
  assert.match(protocolContrastLine('ga', [0.5, 0.9], [0.6, 0.8]), /: no difference beyond noise$/);
  assert.equal(protocolContrastLine('ga', [], hi), '- ga: n/a');
});
