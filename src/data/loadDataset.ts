import { resolve } from 'node:path';
import { ConfigError } from '../config/validate.ts';
import { loadCifar10 } from './cifar10.ts';
import { defaultCifar10Dir } from './dataPaths.ts';
import type { Dataset } from './dataset.ts';
import { type DatasetName, type DatasetSpec, type ParsedDatasetSpec, parseDatasetSpec } from './datasetSpec.ts';
import { loadFashionMnist } from './fashionMnist.ts';
import { makeGaussianMixture } from './gaussianMixture.ts';
import { makeLinearRegression } from './linearRegression.ts';
import { loadMnist } from './mnist.ts';
import { subsetSplit } from './subset.ts';

export { DATASET_NAMES, type DatasetName, type DatasetSpec, type ParsedDatasetSpec, parseDatasetSpec } from './datasetSpec.ts';

/** A spec from outside the type system (JSON, CLI, another schema): loadDataset validates it. */
export type UncheckedDatasetSpec = { readonly name: string; readonly [field: string]: unknown };

/** Synthetic sets hold at most this many floats per split (1 GiB of float32). */
const MAX_SYNTHETIC_FLOATS = 2 ** 28;

/**
 * Full real datasets already loaded in this process, keyed by source and scaling, so repeated
 * runs do not re-read and re-convert them. The arrays are shared: treat them as read-only.
 */
const loaded = new Map<string, Promise<Dataset>>();

/** Forget the datasets loaded in this process (frees their memory once no run holds them). */
export function clearDatasetCache(): void {
  loaded.clear();
}

function loadFull(spec: Extract<ParsedDatasetSpec, { name: 'mnist' | 'fashion-mnist' | 'cifar10' }>): Promise<Dataset> {
  const dir = spec.name === 'cifar10' ? resolve(spec.dir ?? defaultCifar10Dir()) : '';
  const standardize = spec.name === 'cifar10' && spec.standardize;
  const allowPartial = spec.allowPartial ?? false;
  const key = JSON.stringify([spec.name, spec.scale, dir, standardize, allowPartial]);
  let p = loaded.get(key);
  if (!p) {
    if (spec.name === 'mnist') p = loadMnist({ scale: spec.scale, allowPartial });
    else if (spec.name === 'fashion-mnist') p = loadFashionMnist({ scale: spec.scale, allowPartial });
    else p = loadCifar10({ dir, scale: spec.scale, standardize, allowPartial });
    loaded.set(key, p);
    // A failed load (missing files) must not stick: the user may fix it and retry.
    p.catch(() => loaded.delete(key));
  }
  return p;
}

function subset(ds: Dataset, spec: { trainSize?: number; testSize?: number; seed: number }): Dataset {
  const pick = (field: 'trainSize' | 'testSize', split: 'train' | 'test') => {
    const want = spec[field];
    if (want === undefined) return ds[split];
    if (want > ds[split].size) {
      throw new ConfigError(`dataset.${field}: at most ${ds[split].size} (the size of ${ds.name}'s ${split} split), got ${want}`);
    }
    // Different streams for train and test, so equal sizes do not pick the same positions.
    return subsetSplit(ds[split], want, split === 'train' ? spec.seed : spec.seed ^ 0x5eed);
  };
  const train = pick('trainSize', 'train');
  const test = pick('testSize', 'test');
  return train === ds.train && test === ds.test ? ds : { ...ds, train, test };
}

function checkSyntheticSize(spec: { trainSize: number; testSize: number; dim: number }): void {
  for (const field of ['trainSize', 'testSize'] as const) {
    if (spec[field] * spec.dim > MAX_SYNTHETIC_FLOATS) {
      throw new ConfigError(`dataset.${field}: ${field} × dim must be at most ${MAX_SYNTHETIC_FLOATS}, got ${spec[field]} × ${spec.dim}`);
    }
  }
}

/**
 * Load (or generate) the dataset a spec describes; see DATASET_SCHEMAS for fields and defaults.
 * Real datasets are read once per process and shared; `trainSize` / `testSize` take seeded
 * subsets of them. Synthetic sets are generated afresh (they are cheap) and also carry their
 * ground truth (GaussianMixtureDataset.centers, LinearRegressionDataset.trueWeights/trueBias).
 */
export async function loadDataset(spec: DatasetSpec | DatasetName | UncheckedDatasetSpec): Promise<Dataset> {
  return loadParsedDataset(parseDatasetSpec(spec));
}

/** loadDataset for a spec already validated (engines validate the whole config once). */
export async function loadParsedDataset(s: ParsedDatasetSpec): Promise<Dataset> {
  switch (s.name) {
    case 'mnist':
    case 'fashion-mnist':
    case 'cifar10':
      return subset(await loadFull(s), s);
    case 'gaussian-mixture':
      checkSyntheticSize(s);
      return makeGaussianMixture(s);
    case 'linear-regression':
      checkSyntheticSize(s);
      return makeLinearRegression(s);
  }
}
