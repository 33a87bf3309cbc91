import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/config/validate.ts';
import type { Split } from '../../src/data/dataset.ts';
import type { GaussianMixtureDataset } from '../../src/data/gaussianMixture.ts';
import type { LinearRegressionDataset } from '../../src/data/linearRegression.ts';
import { clearDatasetCache, DATASET_NAMES, loadDataset, parseDatasetSpec } from '../../src/data/loadDataset.ts';

const configError = (pattern: RegExp) => (e: Error) => e instanceof ConfigError && pattern.test(e.message);

/** Index of each subset row in the full split (rows compared as whole feature vectors). */
function rowsIn(full: Split, sub: Split): number[] {
  const w = full.x.length / full.size;
  const key = (s: Split, r: number) => `${Buffer.from(s.x.buffer, s.x.byteOffset + r * w * 4, w * 4).toString('base64')}|${s.y[r]}`;
  const index = new Map<string, number>();
  for (let r = 0; r < full.size; r++) if (!index.has(key(full, r))) index.set(key(full, r), r);
  return Array.from({ length: sub.size }, (_, r) => index.get(key(sub, r)) ?? -1);
}

describe('loadDataset: spec validation', () => {
  test('bad name, unknown field, bad value and bad size are ConfigErrors naming the field and what is allowed', async () => {
    await assert.rejects(loadDataset({ name: 'mnst' }), configError(new RegExp(`dataset\\.name: got "mnst"; allowed values: ${DATASET_NAMES.map((n) => `"${n}"`).join(', ')}`)));
    await assert.rejects(loadDataset({ name: 'mnist', sclae: 'raw' }), configError(/dataset: unknown field "sclae"; allowed fields: name, trainSize, testSize, seed, scale/));
    await assert.rejects(loadDataset({ name: 'mnist', scale: 'big' }), configError(/dataset\.scale: .*"unit"\|"raw"/));
    await assert.rejects(loadDataset({ name: 'mnist', trainSize: 0 }), configError(/dataset\.trainSize: Too small/));
    await assert.rejects(loadDataset({ name: 'mnist', trainSize: 70000 }), configError(/dataset\.trainSize: at most 60000 .*got 70000/));
    await assert.rejects(loadDataset({ name: 'gaussian-mixture', dir: 'x' }), configError(/unknown field "dir"; allowed fields: name, trainSize, testSize, seed, classes, dim, separation, noise/));
    await assert.rejects(loadDataset({ name: 'linear-regression', noise: -1 }), configError(/dataset\.noise: Too small/));
    await assert.rejects(loadDataset({ name: 'gaussian-mixture', dim: 100000, trainSize: 10000 }), configError(/dataset\.trainSize: trainSize × dim must be at most/));
  });

  test('allowPartial: a boolean on the real sets only, absent unless given (run ids do not change)', async () => {
    for (const name of ['mnist', 'fashion-mnist', 'cifar10']) assert.equal((parseDatasetSpec({ name, allowPartial: true }) as { allowPartial?: boolean }).allowPartial, true, name);
    assert.equal('allowPartial' in parseDatasetSpec({ name: 'mnist' }), false);
    await assert.rejects(loadDataset({ name: 'mnist', allowPartial: 'yes' }), configError(/dataset\.allowPartial: .*boolean/));
    await assert.rejects(loadDataset({ name: 'gaussian-mixture', allowPartial: true }), configError(/unknown field "allowPartial"/));
    const full = await loadDataset({ name: 'mnist', allowPartial: true, trainSize: 100 });
    assert.equal(full.partial, undefined, 'the complete files are not partial, allowed or not');
  });

  test('defaults are filled in and visible', () => {
    assert.deepEqual(parseDatasetSpec({ name: 'mnist' }), { name: 'mnist', seed: 0, scale: 'unit' });
    assert.deepEqual(parseDatasetSpec({ name: 'linear-regression' }), { name: 'linear-regression', trainSize: 1000, testSize: 1000, seed: 0, dim: 10, noise: 0.1 });
  });
});

describe('loadDataset: real sets, subsets and the in-process cache', () => {
  test('MNIST subsets are seeded, nested, real rows, and reuse one parsed copy', async () => {
    clearDatasetCache();
    const full = await loadDataset({ name: 'mnist' });
    assert.equal(full.train.size, 60000);
    const again = await loadDataset({ name: 'mnist' });
    assert.equal(again.train.x, full.train.x, 'the same arrays, not a re-parse');

    const small = await loadDataset({ name: 'mnist', trainSize: 500, testSize: 200, seed: 1 });
    assert.equal(small.train.size, 500);
    assert.equal(small.test.size, 200);
    assert.equal(small.train.x.length, 500 * 784);
    assert.deepEqual(small.inputShape, [28, 28, 1]);
    const same = await loadDataset({ name: 'mnist', trainSize: 500, testSize: 200, seed: 1 });
    assert.deepEqual(same.train.x, small.train.x);
    const other = await loadDataset({ name: 'mnist', trainSize: 500, seed: 2 });
    assert.notDeepEqual(other.train.y, small.train.y);
    assert.equal(other.test, full.test, 'no testSize: the whole test split');

    const rows = rowsIn(full.train, small.train);
    assert.ok(rows.every((r) => r >= 0), 'every subset row is a row of the full split');
    assert.equal(new Set(rows).size, 500, 'without replacement');
    const bigger = await loadDataset({ name: 'mnist', trainSize: 2000, seed: 1 });
    const biggerRows = new Set(rowsIn(full.train, bigger.train));
    assert.ok(rows.every((r) => biggerRows.has(r)), 'a smaller subset of one seed lies inside a larger one');
  });

  test('Fashion-MNIST through loadDataset', async () => {
    const ds = await loadDataset({ name: 'fashion-mnist', trainSize: 1000, testSize: 100 });
    assert.equal(ds.name, 'fashion-mnist');
    assert.equal(ds.train.size, 1000);
    assert.equal(ds.test.size, 100);
    assert.ok(ds.train.x.every((v) => v >= 0 && v <= 1));
    clearDatasetCache();
  });
});

describe('loadDataset: synthetic sets', () => {
  test('gaussian-mixture and linear-regression from specs, with their ground truth', async () => {
    const gm = (await loadDataset({ name: 'gaussian-mixture', classes: 5, dim: 4, trainSize: 100, testSize: 50, seed: 3 })) as GaussianMixtureDataset;
    assert.deepEqual([gm.train.size, gm.test.size, gm.numClasses, gm.centers.length], [100, 50, 5, 20]);
    const lr = (await loadDataset({ name: 'linear-regression', dim: 7 })) as LinearRegressionDataset;
    assert.deepEqual([lr.train.size, lr.test.size, lr.trueWeights.length], [1000, 1000, 7]);
    assert.equal(lr.task, 'regression');
    const lr2 = (await loadDataset({ name: 'linear-regression', dim: 7 })) as LinearRegressionDataset;
    assert.deepEqual(lr2.train.y, lr.train.y);
  });
});

test('a bare dataset name is that dataset with its defaults', () => {
  assert.deepEqual(parseDatasetSpec('gaussian-mixture'), parseDatasetSpec({ name: 'gaussian-mixture' }));
  assert.throws(() => parseDatasetSpec('mnist2'), (e: Error) => e instanceof ConfigError && /fashion-mnist/.test(e.message));
});
