import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CacheError, readImageCache, writeImageCache } from '../../src/data/byteImageCache.ts';
import type { ByteImageSet } from '../../src/data/byteImages.ts';
import { DataError } from '../../src/data/dataError.ts';
import {
  buildFashionMnistBytes,
  FASHION_MNIST_PER_CLASS,
  FASHION_MNIST_TEST_PER_CLASS,
  fashionMnistCacheFile,
  loadFashionMnist,
  loadFashionMnistBytes,
} from '../../src/data/fashionMnist.ts';
import { fashionMnistJsonDir, readFashionMnistJson } from '../../src/data/fashionMnistJson.ts';

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

describe('Fashion-MNIST class files are checked against 7,000 images each', () => {
  const pkg = fashionMnistJsonDir();
  /** A copy of the package's folder (links to its class files) with some replaced: JSON text, a folder, or a link to another class. */
  function variant(name: string, replace: Record<number, string | { dir: true } | { linkTo: number }>): string {
    const d = join(dir, name);
    mkdirSync(d);
    for (let c = 0; c < 10; c++) {
      const r = replace[c];
      const file = join(d, `${c}.json`);
      if (r === undefined) symlinkSync(join(pkg, `${c}.json`), file);
      else if (typeof r === 'string') writeFileSync(file, r);
      else if ('dir' in r) mkdirSync(file);
      else symlinkSync(join(pkg, `${r.linkTo}.json`), file);
    }
    return d;
  }
  /** A class file of n distinct valid images. */
  const classJson = (n: number) => JSON.stringify({ data: Array.from({ length: n }, (_, i) => Array.from({ length: 784 }, (_, p) => (i * 31 + p) % 256)) });

  test('a class file with 2,000 of 7,000 images: an error naming it; with allowPartial, a split keeping 1 in 7 for test, not cached', async () => {
    const d = variant('short-class', { 0: classJson(2000) });
    const file = join(d, '0.json');
    await assert.rejects(
      readFashionMnistJson(d),
      (e: Error) => e instanceof DataError && e.message.startsWith(`${file}: holds 2,000 images of class 0, Fashion-MNIST has 7,000: a truncated copy`) && e.message.includes('"allowPartial": true'),
    );
    const cacheDir = join(dir, 'partial-cache');
    const { set, fromCache } = await loadFashionMnistBytes({ sourceDir: d, cacheDir, allowPartial: true });
    assert.equal(fromCache, false);
    assert.equal(set.partial, true);
    assert.deepEqual(set.missing, [`${file}: 2,000 of 7,000 images`]);
    const test0 = Math.floor((2000 * FASHION_MNIST_TEST_PER_CLASS) / FASHION_MNIST_PER_CLASS);
    assert.deepEqual(perClass(set.test.labels), [test0, ...new Array(9).fill(FASHION_MNIST_TEST_PER_CLASS)]);
    assert.deepEqual(perClass(set.train.labels), [2000 - test0, ...new Array(9).fill(FASHION_MNIST_PER_CLASS - FASHION_MNIST_TEST_PER_CLASS)]);
    assert.equal(existsSync(fashionMnistCacheFile(cacheDir)), false, 'a partial set must not be cached as the full one');
  });

  test('a class file copied over another is an error naming both', async () => {
    const d = variant('copied-class', { 1: { linkTo: 0 } });
    await assert.rejects(readFashionMnistJson(d, { allowPartial: true }), (e: Error) => e instanceof DataError && e.message.startsWith(`${join(d, '1.json')}: is a copy of ${join(d, '0.json')}`));
  });

  test('a directory in place of a class file, and a missing one, are errors naming them', async () => {
    const d = variant('dir-class', { 0: { dir: true } });
    await assert.rejects(readFashionMnistJson(d, { allowPartial: true }), (e: Error) => e instanceof DataError && e.message.startsWith(`${join(d, '0.json')}: is a directory, expected the Fashion-MNIST images of class 0`));
    const empty = join(dir, 'no-class-files');
    mkdirSync(empty);
    await assert.rejects(buildFashionMnistBytes(empty), (e: Error) => e instanceof DataError && e.message.startsWith(`${join(empty, '0.json')}: missing`));
    await assert.rejects(buildFashionMnistBytes(empty, 0, { allowPartial: true }), (e: Error) => e instanceof DataError && e.message.startsWith(`${empty}: Fashion-MNIST: 0 images in all`));
  });
});
