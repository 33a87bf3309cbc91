import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/config/validate.ts';
import { makeBatchSource } from '../../src/data/batchSource.ts';
import type { Batch, Split } from '../../src/data/dataset.ts';

/** Row r has features [r, r + 0.5] and label r % 7, so a batch row tells which row it came from. */
function split(n: number, regression = false): Split {
  const x = new Float32Array(2 * n);
  for (let r = 0; r < n; r++) x.set([r, r + 0.5], 2 * r);
  const y = regression ? Float32Array.from({ length: n }, (_, r) => r / 10) : Int32Array.from({ length: n }, (_, r) => r % 7);
  return { x, y, size: n };
}

const rowsOf = (b: Batch) => Array.from({ length: b.size }, (_, i) => b.x[2 * i]);
const take = (src: { next(): Batch }, k: number) => Array.from({ length: k }, () => src.next());

describe('makeBatchSource', () => {
  test('same seed ⇒ same batches; different seed ⇒ different', () => {
    const s = split(50);
    const a = take(makeBatchSource(s, 2, 8, 11), 20);
    const b = take(makeBatchSource(s, 2, 8, 11), 20);
    const c = take(makeBatchSource(s, 2, 8, 12), 20);
    assert.deepEqual(a.map(rowsOf), b.map(rowsOf));
    assert.deepEqual(a.map((x) => [...x.y]), b.map((x) => [...x.y]));
    assert.notDeepEqual(a.map(rowsOf), c.map(rowsOf));
  });

  test('a batch written into a used one equals a fresh one and shares its arrays; a batch of another shape is refused', () => {
    for (const regression of [false, true]) {
      const src = makeBatchSource(split(50, regression), 2, 8, 11);
      let used = src.at(0);
      for (const k of [3, 7, 6, 40]) {
        const fresh = src.at(k);
        const reused = src.at(k, used);
        assert.equal(reused.x, used.x);
        assert.equal(reused.y, used.y);
        assert.deepEqual([...reused.x], [...fresh.x]);
        assert.deepEqual([...reused.y], [...fresh.y]);
        assert.equal(reused.index, k);
        assert.equal(reused.samplesBefore, k * 8);
        used = reused;
      }
      const other = makeBatchSource(split(50, !regression), 2, 8, 11).at(0);
      assert.throws(() => src.at(1, other), /batch reuse: expected a batch of this source/);
      assert.throws(() => src.at(1, makeBatchSource(split(50, regression), 2, 4, 11).at(0)), /batch reuse/);
    }
  });

  test('every epoch covers every example exactly once, reshuffled each epoch (batch straddling epochs)', () => {
    const n = 50;
    const batch = 8; // does not divide 50: batches straddle epoch boundaries
    const batches = take(makeBatchSource(split(n), 2, batch, 5), Math.ceil((4 * n) / batch));
    const stream = batches.flatMap(rowsOf);
    const epochs = [0, 1, 2, 3].map((e) => stream.slice(e * n, (e + 1) * n));
    for (const ep of epochs) assert.deepEqual([...ep].sort((p, q) => p - q), Array.from({ length: n }, (_, i) => i));
    assert.notDeepEqual(epochs[0], epochs[1]);
    assert.notDeepEqual(epochs[0], Array.from({ length: n }, (_, i) => i));
  });

  test('rows are copied whole with their labels; index and samplesBefore count the stream', () => {
    const s = split(30);
    const src = makeBatchSource(s, 2, 4, 1);
    take(src, 10).forEach((b, k) => {
      assert.equal(b.index, k);
      assert.equal(b.samplesBefore, 4 * k);
      assert.equal(b.size, 4);
      assert.ok(b.x instanceof Float32Array && b.x.length === 8);
      assert.ok(b.y instanceof Int32Array);
      for (let i = 0; i < 4; i++) {
        const r = b.x[2 * i];
        assert.equal(b.x[2 * i + 1], r + 0.5);
        assert.equal(b.y[i], r % 7);
      }
      b.x.fill(-1);
    });
    assert.deepEqual([...s.x.subarray(0, 4)], [0, 0.5, 1, 1.5], 'writing to a batch must not touch the split');
  });

  test('regression targets stay float', () => {
    const b = makeBatchSource(split(10, true), 2, 3, 0).next();
    assert.ok(b.y instanceof Float32Array);
    for (let i = 0; i < 3; i++) assert.equal(b.y[i], Math.fround(b.x[2 * i] / 10));
  });

  test('batch k is the same batch whatever order, or source, asks for it (any thread computes the same minibatch)', () => {
    const s = split(23);
    const inOrder = take(makeBatchSource(s, 2, 5, 42), 15);
    const other = makeBatchSource(s, 2, 5, 42);
    for (const k of [14, 3, 9, 0, 14, 7]) {
      const b = other.at(k);
      assert.deepEqual(rowsOf(b), rowsOf(inOrder[k]), `batch ${k}`);
      assert.equal(b.index, k);
      assert.equal(b.samplesBefore, 5 * k);
    }
    assert.throws(() => other.at(-1), /batch index: expected an integer ≥ 0/);
  });

  test('bad batchSize / inputSize / seed are ConfigErrors naming the field', () => {
    const s = split(10);
    for (const bad of [0, -1, 2.5, 11, Number.NaN]) {
      assert.throws(() => makeBatchSource(s, 2, bad, 0), (e: Error) => e instanceof ConfigError && e.message.startsWith('batchSize: expected an integer in 1…10 (the split size)'));
    }
    assert.ok(makeBatchSource(s, 2, 10, 0).next().size === 10);
    assert.throws(() => makeBatchSource(s, 3, 2, 0), /inputSize: expected the row width, 20 features \/ 10 rows = 2, got 3/);
    assert.throws(() => makeBatchSource(s, 2, 2, 0.5), /seed: expected an integer/);
  });
});
