import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeGaussianMixture } from '../../src/data/gaussianMixture.ts';
import { makeLinearRegression } from '../../src/data/linearRegression.ts';

describe('Gaussian mixture', () => {
  const opts = { classes: 4, dim: 3, separation: 5, noise: 0.5, trainSize: 4000, testSize: 1000, seed: 9 };

  test('balanced labels, centres at distance `separation`, class means near their centres, noise sd as asked', () => {
    const ds = makeGaussianMixture(opts);
    assert.equal(ds.task, 'classification');
    assert.deepEqual(ds.inputShape, [3]);
    assert.equal(ds.numClasses, 4);
    assert.equal(ds.train.size, 4000);
    assert.equal(ds.test.x.length, 3000);
    assert.ok(ds.train.y instanceof Int32Array);
    const counts = new Array(4).fill(0);
    const sums = new Float64Array(12);
    let sq = 0;
    for (let i = 0; i < 4000; i++) {
      const c = ds.train.y[i];
      counts[c]++;
      for (let d = 0; d < 3; d++) {
        sums[c * 3 + d] += ds.train.x[i * 3 + d];
        sq += (ds.train.x[i * 3 + d] - ds.centers[c * 3 + d]) ** 2;
      }
    }
    assert.deepEqual(counts, [1000, 1000, 1000, 1000]);
    for (let c = 0; c < 4; c++) {
      const centre = ds.centers.subarray(c * 3, c * 3 + 3);
      assert.ok(Math.abs(Math.hypot(...centre) - 5) < 1e-5);
      // The mean of 1000 points with sd 0.5 is within ~0.016 of the centre per coordinate.
      for (let d = 0; d < 3; d++) assert.ok(Math.abs(sums[c * 3 + d] / 1000 - centre[d]) < 0.08);
    }
    assert.ok(Math.abs(Math.sqrt(sq / 12000) - 0.5) < 0.02);
  });

  test('seeded: same seed ⇒ same data; another seed ⇒ other data; train ≠ test', () => {
    const a = makeGaussianMixture(opts);
    assert.deepEqual(makeGaussianMixture(opts).train.x, a.train.x);
    assert.notDeepEqual(makeGaussianMixture({ ...opts, seed: 10 }).train.x, a.train.x);
    assert.notDeepEqual(a.test.x, a.train.x.subarray(0, 3000));
  });
});

describe('linear regression', () => {
  const opts = { dim: 5, noise: 0.3, trainSize: 3000, testSize: 500, seed: 4 };

  test('targets are w*·x + b* plus noise of the given sd; float targets', () => {
    const ds = makeLinearRegression(opts);
    assert.equal(ds.task, 'regression');
    assert.equal(ds.numClasses, 1);
    assert.deepEqual(ds.inputShape, [5]);
    assert.ok(ds.train.y instanceof Float32Array);
    assert.equal(ds.trueWeights.length, 5);
    for (const split of [ds.train, ds.test]) {
      let sum = 0;
      let sq = 0;
      let ysq = 0;
      for (let i = 0; i < split.size; i++) {
        let pred = ds.trueBias;
        for (let d = 0; d < 5; d++) pred += ds.trueWeights[d] * split.x[i * 5 + d];
        const r = split.y[i] - pred;
        sum += r;
        sq += r * r;
        ysq += (split.y[i] - ds.trueBias) ** 2;
      }
      assert.ok(Math.abs(Math.sqrt(sq / split.size) - 0.3) < 0.03, `residual sd ${Math.sqrt(sq / split.size)}`);
      assert.ok(Math.abs(sum / split.size) < 0.05);
      // The signal is not trivially zero: y varies far more than the noise.
      assert.ok(ysq / split.size > 0.3);
    }
  });

  test('seeded and noise 0 is exact', () => {
    const a = makeLinearRegression(opts);
    assert.deepEqual(makeLinearRegression(opts).train.y, a.train.y);
    assert.notDeepEqual(makeLinearRegression({ ...opts, seed: 5 }).trueWeights, a.trueWeights);
    const exact = makeLinearRegression({ ...opts, noise: 0 });
    for (let i = 0; i < 50; i++) {
      let pred = exact.trueBias;
      for (let d = 0; d < 5; d++) pred += exact.trueWeights[d] * exact.train.x[i * 5 + d];
      assert.ok(Math.abs(exact.train.y[i] - pred) < 1e-5);
    }
  });
});
