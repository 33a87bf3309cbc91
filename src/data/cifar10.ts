import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/validate.ts';
import { type ByteImageSet, type ByteImageSplit, byteImagesToDataset } from './byteImages.ts';
import { DataError, PARTIAL_HINT } from './dataError.ts';
import { checkDistinctFiles, classCounts, count, dataFileState, readDataFile } from './dataFiles.ts';
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

/** Records in each of the five training batches and in the test batch. */
export const CIFAR10_RECORDS_PER_BATCH = 10_000;
/** Images of each class in the whole training set (5 batches) and in the test batch. */
export const CIFAR10_TRAIN_PER_CLASS = 5_000;
export const CIFAR10_TEST_PER_CLASS = 1_000;

export interface Cifar10Options {
  /** Folder holding data_batch_1..5.bin and test_batch.bin; default data/cifar-10-batches-bin. */
  readonly dir?: string;
  /** Pixel scaling; default 'unit' ([0, 1]). */
  readonly scale?: PixelScale;
  /** Subtract CIFAR10_MEAN and divide by CIFAR10_STD per channel (needs scale 'unit'); default false. */
  readonly standardize?: boolean;
  /**
   * Accept batches with fewer records than CIFAR-10's (a missing or empty train batch, a batch cut
   * at a record boundary); the set then carries `partial` and `missing`. Default false.
   */
  readonly allowPartial?: boolean;
}

/** Parse one CIFAR-10 binary batch into NHWC bytes; `file` names it in errors. */
export function parseCifar10Batch(bytes: Uint8Array, file: string): ByteImageSplit {
  if (bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new DataError(
      file,
      `truncated CIFAR-10 batch: ${bytes.length} bytes is not a multiple of the ${CIFAR10_RECORD_BYTES}-byte record ` +
        `(${Math.floor(bytes.length / CIFAR10_RECORD_BYTES)} whole records and ${bytes.length % CIFAR10_RECORD_BYTES} bytes left over)`,
    );
  }
  const size = bytes.length / CIFAR10_RECORD_BYTES;
  const images = new Uint8Array(size * 3 * PLANE);
  const labels = new Uint8Array(size);
  for (let r = 0; r < size; r++) {
    const rec = r * CIFAR10_RECORD_BYTES;
    labels[r] = bytes[rec];
    if (labels[r] > 9) throw new DataError(file, `record ${r} has label ${labels[r]} (expected 0…9)`);
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

/**
 * CIFAR-10 in byte form (NHWC) from the binary batches in `dir`. Every batch must hold exactly
 * CIFAR10_RECORDS_PER_BATCH records, no batch may repeat another (or itself twice), and the full
 * set must have CIFAR-10's class counts; with `allowPartial`, batches may be short or (train
 * batches) absent, and what was short is listed in `missing`. Every error names the file.
 */
export async function loadCifar10Bytes(dir: string = defaultCifar10Dir(), opts: { allowPartial?: boolean } = {}): Promise<ByteImageSet> {
  const howTo = `Download ${CIFAR10_URL} and extract it so that the batches lie in ${dir} (e.g. tar xzf cifar-10-binary.tar.gz -C <parent of that folder>; the archive holds cifar-10-batches-bin/).`;
  if (!existsSync(dir)) throw new DataError(dir, `CIFAR-10 not found: the folder ${dir} does not exist. ${howTo}`);
  if (!statSync(dir).isDirectory()) throw new DataError(dir, `CIFAR-10 not found: ${dir} is a file, expected the folder of the batches. ${howTo}`);
  const files = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE];
  const paths = files.map((f) => join(dir, f));
  const present = paths.map((p) => dataFileState(p, 'a CIFAR-10 batch') === 'file');
  const absent = files.filter((_, i) => !present[i]);
  if (absent.length && !opts.allowPartial) throw new DataError(dir, `CIFAR-10 incomplete: ${dir} lacks ${absent.join(', ')}; ${PARTIAL_HINT}. ${howTo}`);
  if (absent.includes(CIFAR10_TEST_FILE)) throw new DataError(dir, `CIFAR-10 incomplete: ${dir} lacks ${CIFAR10_TEST_FILE} (even a partial copy needs its test batch). ${howTo}`);
  const bytes = await Promise.all(paths.map((p, i) => (present[i] ? readDataFile(p, 'a CIFAR-10 batch') : null)));
  const read = paths.flatMap((file, i) => {
    const b = bytes[i];
    return b ? [{ file, bytes: b }] : [];
  });
  checkDistinctFiles(read, 'CIFAR-10 batch', CIFAR10_RECORD_BYTES);
  const missing = absent.map((f) => `${join(dir, f)}: missing (0 of ${count(CIFAR10_RECORDS_PER_BATCH)} records)`);
  const splits = paths.map((file, i) => {
    const b = bytes[i];
    if (!b) return { size: 0, images: new Uint8Array(0), labels: new Uint8Array(0) };
    const split = parseCifar10Batch(b, file);
    const expected = `${count(CIFAR10_RECORDS_PER_BATCH * CIFAR10_RECORD_BYTES)} bytes = ${count(CIFAR10_RECORDS_PER_BATCH)} records`;
    if (split.size > CIFAR10_RECORDS_PER_BATCH) {
      throw new DataError(file, `holds ${count(split.size)} records, more than a CIFAR-10 batch (${count(b.length)} bytes, expected ${expected}). ${howTo}`);
    }
    if (split.size < CIFAR10_RECORDS_PER_BATCH) {
      const short = `holds ${count(split.size)} of the ${count(CIFAR10_RECORDS_PER_BATCH)} records of a CIFAR-10 batch (${count(b.length)} bytes, expected ${expected})`;
      if (!opts.allowPartial) throw new DataError(file, `${short}: a truncated or empty copy; ${PARTIAL_HINT}. ${howTo}`);
      missing.push(`${file}: ${count(split.size)} of ${count(CIFAR10_RECORDS_PER_BATCH)} records`);
    }
    return split;
  });
  const train = concatSplits(splits.slice(0, CIFAR10_TRAIN_FILES.length));
  const test = splits[CIFAR10_TRAIN_FILES.length];
  if (train.size === 0) throw new DataError(dir, `CIFAR-10: the training batches hold no records. ${howTo}`);
  if (test.size === 0) throw new DataError(paths[CIFAR10_TRAIN_FILES.length], `CIFAR-10: the test batch holds no records. ${howTo}`);
  if (!missing.length) {
    const checks = [
      [dir, 'the training batches', train, CIFAR10_TRAIN_PER_CLASS],
      [paths[CIFAR10_TRAIN_FILES.length], 'the test batch', test, CIFAR10_TEST_PER_CLASS],
    ] as const;
    for (const [where, what, split, perClass] of checks) {
      const counts = classCounts(split.labels, 10);
      if (counts.some((n) => n !== perClass)) {
        throw new DataError(where, `${what} hold [${counts.join(', ')}] images per class; CIFAR-10 has ${count(perClass)} of each: not the original batches. ${howTo}`);
      }
    }
  }
  const set = { height: SIDE, width: SIDE, channels: 3, numClasses: 10, train, test };
  return missing.length ? { ...set, partial: true, missing } : set;
}

function standardizeInPlace(x: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const c = i % 3;
    x[i] = (x[i] - CIFAR10_MEAN[c]) / CIFAR10_STD[c];
  }
}

/**
 * CIFAR-10 (Krizhevsky 2009) from its binary version: 50,000 train / 10,000 test, [32, 32, 3]
 * NHWC. A missing folder or file is a DataError saying where to get it; a short, long, doubled or
 * misplaced batch one naming the file (see loadCifar10Bytes).
 */
export async function loadCifar10(opts: Cifar10Options = {}): Promise<Dataset> {
  const scale = opts.scale ?? 'unit';
  if (opts.standardize && scale !== 'unit') {
    throw new ConfigError(`dataset.standardize: needs scale "unit" (CIFAR10_MEAN/STD are for pixels in [0, 1]), got scale "${scale}"`);
  }
  const ds = byteImagesToDataset('cifar10', await loadCifar10Bytes(opts.dir, { allowPartial: opts.allowPartial }), scale);
  if (opts.standardize) {
    standardizeInPlace(ds.train.x);
    standardizeInPlace(ds.test.x);
  }
  return ds;
}
