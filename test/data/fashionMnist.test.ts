import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CacheError, readImageCache, writeImageCache } from '../../src/data/byteImageCache.ts';
import type { ByteImageSet } from '../../src/data/byteImages.ts';
import { FASHION_MNIST_TEST_PER_CLASS, loadFashionMnist, loadFashionMnistBytes } from '../../src/data/fashionMnist.ts';

const dir = mkdtempSync(join(tmpdir(), 'stalelab-fmnist-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function perClass(labels: Uint8Array): number[] {
  const h = new Array(10).fill(0);
  for (const l of labels) h[l]++;
  return h;
}

/** A tiny image set with distinct bytes, for cache format tests. */
function tinySet(): ByteImageSet {
  const split = (size: number, offset: number) => ({
    size,
    images: Uint8Array.from({ length: size * 6 }, (_, i) => (i * 13 + offset) % 256),
    labels: Uint8Array.from({ length: size }, (_, i) => (i + offset) % 3),
  });
  return { height: 2, width: 3, channels: 1, numClasses: 3, train: split(5, 0), test: split(2, 100) };
}

function assertSameSet(a: ByteImageSet, b: ByteImageSet): void {
  assert.deepEqual([a.height, a.width, a.channels, a.numClasses], [b.height, b.width, b.channels, b.numClasses]);
  for (const s of ['train', 'test'] as const) {
    assert.equal(a[s].size, b[s].size);
    assert.ok(Buffer.from(a[s].images).equals(Buffer.from(b[s].images)), `${s} images differ`);
    assert.ok(Buffer.from(a[s].labels).equals(Buffer.from(b[s].labels)), `${s} labels differ`);
  }
}

describe('binary image cache', () => {
  const source = { dataset: 'tiny', splitSeed: 1 };

  test('round trip', async () => {
    const file = join(dir, 'tiny.bin');
    await writeImageCache(file, tinySet(), source);
    assertSameSet(await readImageCache(file, source), tinySet());
  });

  test('truncated, corrupt, foreign and stale caches are CacheErrors naming the file', async () => {
    const file = join(dir, 'bad.bin');
    const fresh = async () => {
      await writeImageCache(file, tinySet(), source);
      return statSync(file).size;
    };
    const rejects = (pattern: RegExp) =>
      assert.rejects(readImageCache(file, source), (e: Error) => e instanceof CacheError && e.message.startsWith(`${file}: unusable dataset cache`) && pattern.test(e.message));

    const size = await fresh();
    truncateSync(file, size - 3);
    await rejects(new RegExp(`truncated: expected ${size} bytes, got ${size - 3}`));

    await fresh();
    const bytes = readFileSync(file);
    bytes[bytes.length - 4] ^= 0xff;
    writeFileSync(file, bytes);
    await rejects(/checksum mismatch/);

    writeFileSync(file, 'not a cache at all, just text');
    await rejects(/bad magic/);

    await fresh();
    await assert.rejects(readImageCache(file, { ...source, splitSeed: 2 }), (e: Error) => e instanceof CacheError && /built from .*"splitSeed":1.*expected .*"splitSeed":2/.test(e.message));
  });

  test('a missing cache is ENOENT, not a CacheError', async () => {
    await assert.rejects(readImageCache(join(dir, 'nope.bin'), source), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  });
});

describe('Fashion-MNIST from the fashion-mnist package', () => {
  test('first load converts and caches; the cached load is identical; a corrupt cache is rebuilt', async () => {
    const first = await loadFashionMnistBytes({ cacheDir: dir });
    assert.equal(first.fromCache, false);
    const { set } = first;
    assert.deepEqual([set.height, set.width, set.channels, set.numClasses], [28, 28, 1, 10]);
    assert.equal(set.train.size, 60000);
    assert.equal(set.test.size, 10000);
    // Stratified: 1,000 test and 6,000 train images of every class.
    assert.deepEqual(perClass(set.test.labels), new Array(10).fill(FASHION_MNIST_TEST_PER_CLASS));
    assert.deepEqual(perClass(set.train.labels), new Array(10).fill(6000));
    // Shuffled, not grouped by class.
    assert.notDeepEqual([...set.train.labels.subarray(0, 20)], new Array(20).fill(set.train.labels[0]));

    const second = await loadFashionMnistBytes({ cacheDir: dir });
    assert.equal(second.fromCache, true);
    assert.equal(second.cacheFile, first.cacheFile);
    assertSameSet(second.set, set);

    // Corrupt one pixel byte in the middle of the file.
    const bytes = readFileSync(first.cacheFile);
    bytes[bytes.length >> 1] ^= 0x55;
    writeFileSync(first.cacheFile, bytes);
    await assert.rejects(readImageCache(first.cacheFile, { any: 0 }), (e: Error) => e instanceof CacheError && e.message.includes(first.cacheFile) && /checksum mismatch/.test(e.message));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const rebuilt = await loadFashionMnistBytes({ cacheDir: dir });
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    assert.equal(rebuilt.fromCache, false);
    assert.ok(warnings.some((w) => w.includes(first.cacheFile) && /checksum mismatch \(corrupt data\); rebuilding it/.test(w)), `warnings: ${warnings.join(' | ')}`);
    assertSameSet(rebuilt.set, set);
    assert.equal((await loadFashionMnistBytes({ cacheDir: dir })).fromCache, true);
  });

  test('float dataset: [28, 28, 1], pixels in [0, 1] or raw', async () => {
    const unit = await loadFashionMnist({ cacheDir: dir });
    const raw = await loadFashionMnist({ cacheDir: dir, scale: 'raw' });
    assert.equal(unit.name, 'fashion-mnist');
    assert.deepEqual(unit.inputShape, [28, 28, 1]);
    assert.equal(unit.train.x.length, 60000 * 784);
    let max = 0;
    for (let i = 0; i < 784 * 200; i++) {
      max = Math.max(max, raw.train.x[i]);
      assert.equal(unit.train.x[i], Math.fround(raw.train.x[i] / 255));
    }
    assert.equal(max, 255);
  });
});
