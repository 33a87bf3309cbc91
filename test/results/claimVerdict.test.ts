import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareForClaim, formatDifference } from '../../src/results/claimVerdict.ts';

test('a claim is reproduced only when the whole interval of the difference clears the margin', () => {
  const up = compareForClaim([0.91, 0.92, 0.93], [0.80, 0.81, 0.82]);
  assert.equal(up.verdict, 'reproduced');
  assert.ok(Math.abs(up.difference - 0.11) < 1e-12);
  // Equal sds and sizes: Welch's df is 2(n − 1) = 4; t_{0.975, 4} = 2.776, se = sqrt(2·0.01²/3).
  assert.ok(Math.abs(up.df! - 4) < 1e-9);
  assert.ok(Math.abs(up.upper! - up.lower! - 2 * 2.7764451 * Math.sqrt((2 * 0.0001) / 3)) < 1e-6);
  assert.equal(compareForClaim([0.80, 0.81, 0.82], [0.91, 0.92, 0.93]).verdict, 'not reproduced');
  assert.equal(compareForClaim([0.90, 0.80, 0.95], [0.88, 0.86, 0.87]).verdict, 'within noise');
  // A margin: "a stays within 0.02 of b" is a > b − 0.02.
  assert.equal(compareForClaim([0.95, 0.951, 0.952], [0.96, 0.961, 0.962], { margin: -0.02 }).verdict, 'reproduced');
  assert.equal(compareForClaim([0.95], [0.90, 0.91]).verdict, 'within noise', 'one seed has no spread');
  assert.match(formatDifference(up), /^\+0\.110 \[\+0\.0\d\d, \+0\.1\d\d\]$/);
  assert.throws(() => compareForClaim([NaN, 0.5], [0.5, 0.5]), /a\[0\] is NaN/);
  assert.throws(() => compareForClaim([], [0.5]), /a has no values/);
});
