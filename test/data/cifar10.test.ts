import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CIFAR10_MEAN, CIFAR10_RECORD_BYTES, CIFAR10_STD, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, CIFAR10_URL, loadCifar10 } from '../../src/data/cifar10.ts';
import { ConfigError } from '../../src/config/validate.ts';
import { clearDatasetCache, loadDataset } from '../../src/data/loadDataset.ts';

const root = mkdtempSync(join(tmpdir(), 'stalelab-cifar-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Byte of channel c at (h, w) in fixture record `id` (ids are unique across all files). */
const pixel = (id: number, c: number, h: number, w: number) => (id * 37 + c * 101 + h * 7 + w * 3) % 256;
const labelOf = (id: number) => (id * 7) % 10;

/** Write a CIFAR-10 binary batch of the given record ids in the real format (label, R, G, B planes). */
function writeBatch(file: string, ids: number[]): void {
  const bytes = new Uint8Array(ids.length * CIFAR10_RECORD_BYTES);
  ids.forEach((id, r) => {
    const rec = r * CIFAR10_RECORD_BYTES;
    bytes[rec] = labelOf(id);
    for (let c = 0; c < 3; c++) for (let h = 0; h < 32; h++) for (let w = 0; w < 32; w++) bytes[rec + 1 + c * 1024 + h * 32 + w] = pixel(id, c, h, w);
  });
  writeFileSync(file, bytes);
}

/** A fixture folder: train batches of 2 records each (ids 0–9), a test batch of 3 (ids 100–102). */
function makeFixture(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  CIFAR10_TRAIN_FILES.forEach((f, b) => writeBatch(join(dir, f), [2 * b, 2 * b + 1]));
  writeBatch(join(dir, CIFAR10_TEST_FILE), [100, 101, 102]);
  return dir;
}

describe('CIFAR-10 binary batches', () => {
  const dir = makeFixture('ok');

  test('round trip: labels and NHWC pixels in [0, 1]', async () => {
    const ds = await loadCifar10({ dir });
    assert.deepEqual(ds.inputShape, [32, 32, 3]);
    assert.equal(ds.numClasses, 10);
    assert.equal(ds.train.size, 10);
    assert.equal(ds.test.size, 3);
    assert.deepEqual([...ds.train.y], Array.from({ length: 10 }, (_, id) => labelOf(id)));
    assert.deepEqual([...ds.test.y], [100, 101, 102].map(labelOf));
    const check = (x: Float32Array, n: number, id: number) => {
      for (let h = 0; h < 32; h++) for (let w = 0; w < 32; w++) for (let c = 0; c < 3; c++) {
        assert.equal(x[((n * 32 + h) * 32 + w) * 3 + c], Math.fround(pixel(id, c, h, w) / 255));
      }
    };
    for (let n = 0; n < 10; n++) check(ds.train.x, n, n);
    for (let n = 0; n < 3; n++) check(ds.test.x, n, 100 + n);
  });

  test('raw scale and per-channel standardisation', async () => {
    const raw = await loadCifar10({ dir, scale: 'raw' });
    const std = await loadCifar10({ dir, standardize: true });
    for (let i = 0; i < raw.train.x.length; i += 97) {
      const c = i % 3;
      assert.equal(raw.train.x[i], pixel(Math.floor(i / 3072), c, Math.floor((i % 3072) / 96), Math.floor((i % 96) / 3)));
      assert.ok(Math.abs(std.train.x[i] - (raw.train.x[i] / 255 - CIFAR10_MEAN[c]) / CIFAR10_STD[c]) < 1e-5);
    }
    await assert.rejects(loadCifar10({ dir, scale: 'raw', standardize: true }), (e: Error) => e instanceof ConfigError && /dataset\.standardize: needs scale "unit"/.test(e.message));
  });

  test('a truncated batch is an error naming the file', async () => {
    const bad = makeFixture('truncated');
    const file = join(bad, 'data_batch_3.bin');
    writeFileSync(file, new Uint8Array(2 * CIFAR10_RECORD_BYTES - 5));
    await assert.rejects(loadCifar10({ dir: bad }), (e: Error) => e.message.startsWith(`${file}: truncated CIFAR-10 batch: ${2 * CIFAR10_RECORD_BYTES - 5} bytes is not a multiple of the 3073-byte record`));
  });

  test('a label above 9 is an error naming the file and record', async () => {
    const bad = makeFixture('badlabel');
    const bytes = new Uint8Array(CIFAR10_RECORD_BYTES * 2);
    bytes[CIFAR10_RECORD_BYTES] = 10;
    writeFileSync(join(bad, CIFAR10_TEST_FILE), bytes);
    await assert.rejects(loadCifar10({ dir: bad }), /test_batch\.bin: record 1 has label 10 \(expected 0…9\)/);
  });

  test('a missing folder or file says where to get CIFAR-10', async () => {
    const nowhere = join(root, 'absent');
    await assert.rejects(loadCifar10({ dir: nowhere }), (e: Error) => e.message.includes(`the folder ${nowhere} does not exist`) && e.message.includes(CIFAR10_URL));
    const partial = makeFixture('partial');
    rmSync(join(partial, 'data_batch_5.bin'));
    await assert.rejects(loadCifar10({ dir: partial }), (e: Error) => e.message.includes(`${partial} lacks data_batch_5.bin`) && e.message.includes(CIFAR10_URL));
  });

  test('through loadDataset: dir, subset, and no stale in-process cache after a failure', async () => {
    const ds = await loadDataset({ name: 'cifar10', dir, trainSize: 4, seed: 3 });
    assert.equal(ds.train.size, 4);
    assert.equal(ds.test.size, 3);
    const late = join(root, 'late');
    await assert.rejects(loadDataset({ name: 'cifar10', dir: late }), /does not exist/);
    mkdirSync(late);
    CIFAR10_TRAIN_FILES.forEach((f, b) => writeBatch(join(late, f), [b]));
    writeBatch(join(late, CIFAR10_TEST_FILE), [7]);
    assert.equal((await loadDataset({ name: 'cifar10', dir: late })).train.size, 5);
    clearDatasetCache();
  });
});
