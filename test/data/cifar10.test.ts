import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  CIFAR10_MEAN,
  CIFAR10_RECORD_BYTES,
  CIFAR10_RECORDS_PER_BATCH,
  CIFAR10_STD,
  CIFAR10_TEST_FILE,
  CIFAR10_TEST_PER_CLASS,
  CIFAR10_TRAIN_FILES,
  CIFAR10_TRAIN_PER_CLASS,
  CIFAR10_URL,
  loadCifar10,
  loadCifar10Bytes,
} from '../../src/data/cifar10.ts';
import { ConfigError } from '../../src/config/validate.ts';
import { DataError } from '../../src/data/dataError.ts';
import { clearDatasetCache, loadDataset } from '../../src/data/loadDataset.ts';
import { syntheticCifarBatch } from './cifarFixture.ts';

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

/** A partial fixture folder: train batches of 2 records each (ids 0–9), a test batch of 3 (ids 100–102). */
function makeFixture(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  CIFAR10_TRAIN_FILES.forEach((f, b) => writeBatch(join(dir, f), [2 * b, 2 * b + 1]));
  writeBatch(join(dir, CIFAR10_TEST_FILE), [100, 101, 102]);
  return dir;
}

describe('CIFAR-10 binary batches (small partial copies, allowPartial)', () => {
  const dir = makeFixture('ok');
  const allowPartial = true;

  test('round trip: labels and NHWC pixels in [0, 1]; the set says it is partial and what is missing', async () => {
    const ds = await loadCifar10({ dir, allowPartial });
    assert.equal(ds.partial, true);
    assert.deepEqual(ds.missing, [
      ...CIFAR10_TRAIN_FILES.map((f) => `${join(dir, f)}: 2 of 10,000 records`),
      `${join(dir, CIFAR10_TEST_FILE)}: 3 of 10,000 records`,
    ]);
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

  test('a run on a partial copy says so in its record (partialData.missing)', async () => {
    const { runExperiment } = await import('../../src/run/runExperiment.ts');
    const r = await runExperiment({ model: 'logreg', dataset: { name: 'cifar10', dir, allowPartial }, batchSize: 2, steps: 3, lr: 0.01 });
    assert.equal(r.record.status, 'finished');
    assert.deepEqual(r.record.partialData?.missing, (await loadCifar10({ dir, allowPartial })).missing);
    const full = await runExperiment({ objective: 'quadratic', steps: 3, lr: 0.01 });
    assert.equal(full.record.partialData, undefined);
  });

  test('raw scale and per-channel standardisation', async () => {
    const raw = await loadCifar10({ dir, scale: 'raw', allowPartial });
    const std = await loadCifar10({ dir, standardize: true, allowPartial });
    for (let i = 0; i < raw.train.x.length; i += 97) {
      const c = i % 3;
      assert.equal(raw.train.x[i], pixel(Math.floor(i / 3072), c, Math.floor((i % 3072) / 96), Math.floor((i % 96) / 3)));
      assert.ok(Math.abs(std.train.x[i] - (raw.train.x[i] / 255 - CIFAR10_MEAN[c]) / CIFAR10_STD[c]) < 1e-5);
    }
    await assert.rejects(loadCifar10({ dir, scale: 'raw', standardize: true, allowPartial }), (e: Error) => e instanceof ConfigError && /dataset\.standardize: needs scale "unit"/.test(e.message));
  });

  test('a truncated batch is an error naming the file', async () => {
    const bad = makeFixture('truncated');
    const file = join(bad, 'data_batch_3.bin');
    writeFileSync(file, new Uint8Array(2 * CIFAR10_RECORD_BYTES - 5));
    await assert.rejects(loadCifar10({ dir: bad, allowPartial }), (e: Error) => e instanceof DataError && e.message.startsWith(`${file}: truncated CIFAR-10 batch: ${2 * CIFAR10_RECORD_BYTES - 5} bytes is not a multiple of the 3073-byte record`));
  });

  test('a label above 9 is an error naming the file and record', async () => {
    const bad = makeFixture('badlabel');
    const bytes = new Uint8Array(CIFAR10_RECORD_BYTES * 2);
    bytes[CIFAR10_RECORD_BYTES] = 10;
    writeFileSync(join(bad, CIFAR10_TEST_FILE), bytes);
    await assert.rejects(loadCifar10({ dir: bad, allowPartial }), /test_batch\.bin: record 1 has label 10 \(expected 0…9\)/);
  });

  test('a missing folder or file says where to get CIFAR-10', async () => {
    const nowhere = join(root, 'absent');
    await assert.rejects(loadCifar10({ dir: nowhere }), (e: Error) => e instanceof DataError && e.message.includes(`the folder ${nowhere} does not exist`) && e.message.includes(CIFAR10_URL));
    const partial = makeFixture('partial');
    rmSync(join(partial, 'data_batch_5.bin'));
    await assert.rejects(loadCifar10({ dir: partial }), (e: Error) => e.message.includes(`${partial} lacks data_batch_5.bin`) && e.message.includes('"allowPartial": true') && e.message.includes(CIFAR10_URL));
    // allowPartial: a missing train batch is listed; a missing test batch is still an error.
    const ds = await loadCifar10({ dir: partial, allowPartial });
    assert.equal(ds.train.size, 8);
    assert.ok(ds.missing?.includes(`${join(partial, 'data_batch_5.bin')}: missing (0 of 10,000 records)`), String(ds.missing));
    rmSync(join(partial, CIFAR10_TEST_FILE));
    await assert.rejects(loadCifar10({ dir: partial, allowPartial }), (e: Error) => e.message.includes(`lacks ${CIFAR10_TEST_FILE} (even a partial copy needs its test batch)`));
  });

  test('through loadDataset: dir, subset, the partial flag kept, and no stale in-process cache after a failure', async () => {
    const ds = await loadDataset({ name: 'cifar10', dir, trainSize: 4, seed: 3, allowPartial });
    assert.equal(ds.train.size, 4);
    assert.equal(ds.test.size, 3);
    assert.equal(ds.partial, true, 'a subset of a partial set is partial');
    assert.equal(ds.missing?.length, 6);
    // The partial load is not served to a spec that did not allow it.
    await assert.rejects(loadDataset({ name: 'cifar10', dir }), (e: Error) => e instanceof ConfigError && e.message.startsWith(`${join(dir, CIFAR10_TRAIN_FILES[0])}: holds 2 of the 10,000 records`));
    const late = join(root, 'late');
    await assert.rejects(loadDataset({ name: 'cifar10', dir: late, allowPartial }), /does not exist/);
    mkdirSync(late);
    CIFAR10_TRAIN_FILES.forEach((f, b) => writeBatch(join(late, f), [b]));
    writeBatch(join(late, CIFAR10_TEST_FILE), [7]);
    assert.equal((await loadDataset({ name: 'cifar10', dir: late, allowPartial })).train.size, 5);
    clearDatasetCache();
  });
});


describe('CIFAR-10 strict checks on full-size batches', () => {
  const files = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE];
  const full = join(root, 'full');
  mkdirSync(full);
  files.forEach((f, b) => writeFileSync(join(full, f), syntheticCifarBatch(b)));
  const record = (k: number) => k * CIFAR10_RECORD_BYTES;

  /** A copy of the full set (links to its batches) with some files replaced: bytes, a folder, or removed. */
  function variant(name: string, replace: Record<string, Uint8Array | 'dir' | 'absent'>): string {
    const dir = join(root, name);
    mkdirSync(dir);
    for (const f of files) {
      const r = replace[f];
      if (r === undefined) symlinkSync(join(full, f), join(dir, f));
      else if (r === 'dir') mkdirSync(join(dir, f));
      else if (r !== 'absent') writeFileSync(join(dir, f), r);
    }
    return dir;
  }
  const dataError = (file: string, pattern: RegExp) => (e: Error) => e instanceof DataError && e instanceof ConfigError && e.message.startsWith(`${file}: `) && pattern.test(e.message);

  test('a complete copy loads strictly: 50,000 / 10,000, CIFAR-10 class counts, not partial', async () => {
    const set = await loadCifar10Bytes(full);
    assert.equal(set.train.size, CIFAR10_TRAIN_FILES.length * CIFAR10_RECORDS_PER_BATCH);
    assert.equal(set.test.size, CIFAR10_RECORDS_PER_BATCH);
    assert.equal(set.partial, undefined);
    assert.equal(set.missing, undefined);
    const perClass = (labels: Uint8Array) => Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length);
    assert.deepEqual(perClass(set.train.labels), new Array(10).fill(CIFAR10_TRAIN_PER_CLASS));
    assert.deepEqual(perClass(set.test.labels), new Array(10).fill(CIFAR10_TEST_PER_CLASS));
    // Batch order is kept: record 0 of batch 3 is train row 30,000 (its batch byte is the R pixel at (0, 0)).
    assert.equal(set.train.images[3 * CIFAR10_RECORDS_PER_BATCH * 3072], 3);
  });

  test('a batch truncated inside a record is an error naming it, even with allowPartial', async () => {
    const dir = variant('cut-mid-record', { 'data_batch_3.bin': syntheticCifarBatch(2).subarray(0, record(5000) + 17) });
    for (const allowPartial of [false, true]) {
      await assert.rejects(loadCifar10Bytes(dir, { allowPartial }), dataError(join(dir, 'data_batch_3.bin'), /truncated CIFAR-10 batch: .* \(5000 whole records and 17 bytes left over\)/));
    }
  });

  test('a batch cut at a record boundary: an error naming it; with allowPartial, loaded and listed as missing', async () => {
    const dir = variant('cut-at-record', { 'data_batch_2.bin': syntheticCifarBatch(1).subarray(0, record(9000)) });
    const file = join(dir, 'data_batch_2.bin');
    await assert.rejects(loadCifar10Bytes(dir), dataError(file, /holds 9,000 of the 10,000 records of a CIFAR-10 batch \(27,657,000 bytes, expected 30,730,000 bytes = 10,000 records\).*"allowPartial": true/));
    const set = await loadCifar10Bytes(dir, { allowPartial: true });
    assert.equal(set.partial, true);
    assert.deepEqual(set.missing, [`${file}: 9,000 of 10,000 records`]);
    assert.equal(set.train.size, 4 * CIFAR10_RECORDS_PER_BATCH + 9000);
  });

  test('an empty batch: an error naming it; with allowPartial, zero records of it', async () => {
    const dir = variant('empty', { 'data_batch_4.bin': new Uint8Array(0) });
    const file = join(dir, 'data_batch_4.bin');
    await assert.rejects(loadCifar10Bytes(dir), dataError(file, /holds 0 of the 10,000 records/));
    const set = await loadCifar10Bytes(dir, { allowPartial: true });
    assert.deepEqual(set.missing, [`${file}: 0 of 10,000 records`]);
    assert.equal(set.train.size, 4 * CIFAR10_RECORDS_PER_BATCH);
  });

  test('a one-record test batch: an error naming it; with allowPartial, a test split of one', async () => {
    const dir = variant('one-test', { [CIFAR10_TEST_FILE]: syntheticCifarBatch(5).subarray(0, record(1)) });
    const file = join(dir, CIFAR10_TEST_FILE);
    await assert.rejects(loadCifar10Bytes(dir), dataError(file, /holds 1 of the 10,000 records/));
    const set = await loadCifar10Bytes(dir, { allowPartial: true });
    assert.equal(set.test.size, 1);
    assert.deepEqual(set.missing, [`${file}: 1 of 10,000 records`]);
  });

  test('a doubled batch (a copy of another, or one batch twice over) is an error naming it, even with allowPartial', async () => {
    const copy = variant('copied', { 'data_batch_5.bin': readFileSync(join(full, 'data_batch_1.bin')) });
    const twice = variant('twice', { 'data_batch_1.bin': Buffer.concat([syntheticCifarBatch(0), syntheticCifarBatch(0)]) });
    for (const allowPartial of [false, true]) {
      await assert.rejects(loadCifar10Bytes(copy, { allowPartial }), dataError(join(copy, 'data_batch_5.bin'), new RegExp(`is a copy of ${join(copy, 'data_batch_1.bin')}`)));
      await assert.rejects(loadCifar10Bytes(twice, { allowPartial }), dataError(join(twice, 'data_batch_1.bin'), /holds the same 10000 records twice \(a doubled CIFAR-10 batch\)/));
    }
  });

  test('a directory where a batch should be is an error naming it, not a bare EISDIR', async () => {
    const dir = variant('dir-in-place', { 'data_batch_2.bin': 'dir' });
    for (const allowPartial of [false, true]) {
      await assert.rejects(loadCifar10Bytes(dir, { allowPartial }), dataError(join(dir, 'data_batch_2.bin'), /is a directory, expected a CIFAR-10 batch/));
    }
  });

  test('complete files with other class counts are not CIFAR-10', async () => {
    const test = syntheticCifarBatch(5);
    for (let r = 0; r < CIFAR10_RECORDS_PER_BATCH; r++) test[record(r)] = 0;
    const dir = variant('other-labels', { [CIFAR10_TEST_FILE]: test });
    await assert.rejects(loadCifar10Bytes(dir), dataError(join(dir, CIFAR10_TEST_FILE), /the test batch hold \[10000, 0, 0, 0, 0, 0, 0, 0, 0, 0\] images per class; CIFAR-10 has 1,000 of each/));
  });
});
