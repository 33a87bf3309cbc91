import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../config/validate.ts';
import { type ByteImageSet, type ByteImageSplit, byteImagesToDataset } from './byteImages.ts';
import { defaultCifar10Dir } from './dataPaths.ts';
import type { Dataset } from './dataset.ts';
import type { PixelScale } from './pixelScale.ts';

export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
export const CIFAR10_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'] as const;
export const CIFAR10_TEST_FILE = 'test_batch.bin';
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

/**
 * Per-channel (R, G, B) mean and standard deviation of the CIFAR-10 training pixels in [0, 1].
 * (The also-common std (0.2023, 0.1994, 0.2010) is a mean of per-image stds, not the pixel std.)
 */
export const CIFAR10_MEAN = [0.4914, 0.4822, 0.4465] as const;
export const CIFAR10_STD = [0.247, 0.2435, 0.2616] as const;

const SIDE = 32;
const PLANE = SIDE * SIDE;
/** One record: a label byte, then the red, green and blue 32×32 planes (row-major). */
export const CIFAR10_RECORD_BYTES = 1 + 3 * PLANE;

export interface Cifar10Options {
  /** Folder holding data_batch_1..5.bin and test_batch.bin; default data/cifar-10-batches-bin. */
  readonly dir?: string;
  /** Pixel scaling; default 'unit' ([0, 1]). */
  readonly scale?: PixelScale;
  /** Subtract CIFAR10_MEAN and divide by CIFAR10_STD per channel (needs scale 'unit'); default false. */
  readonly standardize?: boolean;
}

/** Parse one CIFAR-10 binary batch into NHWC bytes; `file` names it in errors. */
export function parseCifar10Batch(bytes: Uint8Array, file: string): ByteImageSplit {
  if (bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new Error(
      `${file}: truncated CIFAR-10 batch: ${bytes.length} bytes is not a multiple of the ${CIFAR10_RECORD_BYTES}-byte record ` +
        `(${Math.floor(bytes.length / CIFAR10_RECORD_BYTES)} whole records and ${bytes.length % CIFAR10_RECORD_BYTES} bytes left over)`,
    );
  }
  const size = bytes.length / CIFAR10_RECORD_BYTES;
  const images = new Uint8Array(size * 3 * PLANE);
  const labels = new Uint8Array(size);
  for (let r = 0; r < size; r++) {
    const rec = r * CIFAR10_RECORD_BYTES;
    labels[r] = bytes[rec];
    if (labels[r] > 9) throw new Error(`${file}: record ${r} has label ${labels[r]} (expected 0…9)`);
    const out = r * 3 * PLANE;
    // CHW planes to interleaved HWC.
    for (let c = 0; c < 3; c++) {
      const plane = rec + 1 + c * PLANE;
      for (let p = 0; p < PLANE; p++) images[out + p * 3 + c] = bytes[plane + p];
    }
  }
  return { size, images, labels };
}

function concatSplits(parts: ByteImageSplit[]): ByteImageSplit {
  const size = parts.reduce((n, p) => n + p.size, 0);
  const images = new Uint8Array(size * 3 * PLANE);
  const labels = new Uint8Array(size);
  let row = 0;
  for (const p of parts) {
    images.set(p.images, row * 3 * PLANE);
    labels.set(p.labels, row);
    row += p.size;
  }
  return { size, images, labels };
}

/** CIFAR-10 in byte form (NHWC) from the binary batches in `dir`. */
export async function loadCifar10Bytes(dir: string = defaultCifar10Dir()): Promise<ByteImageSet> {
  const howTo = `Download ${CIFAR10_URL} and extract it so that the batches lie in ${dir} (e.g. tar xzf cifar-10-binary.tar.gz -C <parent of that folder>; the archive holds cifar-10-batches-bin/).`;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`CIFAR-10 not found: the folder ${dir} does not exist. ${howTo}`);
  const files = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE];
  const missing = files.filter((f) => !existsSync(join(dir, f)));
  if (missing.length) throw new Error(`CIFAR-10 incomplete: ${dir} lacks ${missing.join(', ')}. ${howTo}`);
  const read = async (f: string) => parseCifar10Batch(await readFile(join(dir, f)), join(dir, f));
  const train = concatSplits(await Promise.all(CIFAR10_TRAIN_FILES.map(read)));
  const test = await read(CIFAR10_TEST_FILE);
  return { height: SIDE, width: SIDE, channels: 3, numClasses: 10, train, test };
}

function standardizeInPlace(x: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const c = i % 3;
    x[i] = (x[i] - CIFAR10_MEAN[c]) / CIFAR10_STD[c];
  }
}

/**
 * CIFAR-10 (Krizhevsky 2009) from its binary version: 50,000 train / 10,000 test, [32, 32, 3]
 * NHWC. A missing folder or file is an error saying where to get it; a truncated batch one
 * naming the file.
 */
export async function loadCifar10(opts: Cifar10Options = {}): Promise<Dataset> {
  const scale = opts.scale ?? 'unit';
  if (opts.standardize && scale !== 'unit') {
    throw new ConfigError(`dataset.standardize: needs scale "unit" (CIFAR10_MEAN/STD are for pixels in [0, 1]), got scale "${scale}"`);
  }
  const ds = byteImagesToDataset('cifar10', await loadCifar10Bytes(opts.dir), scale);
  if (opts.standardize) {
    standardizeInPlace(ds.train.x);
    standardizeInPlace(ds.test.x);
  }
  return ds;
}
