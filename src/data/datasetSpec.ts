import { z } from 'zod';
import { namedUnion } from '../config/namedUnion.ts';
import { parseConfig } from '../config/validate.ts';
import { PIXEL_SCALES } from './pixelScale.ts';

export const DATASET_NAMES = ['mnist', 'fashion-mnist', 'cifar10', 'gaussian-mixture', 'linear-regression'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

const size = z.number().int().min(1).max(10_000_000);
/** Subset sizes of a real dataset: absent = the whole split. */
const subsetSizes = { trainSize: size.optional(), testSize: size.optional() };
const seed = z.number().int().default(0);
const scale = z.enum(PIXEL_SCALES).default('unit');
const nonNegative = z.number().finite().min(0);
/** Optional, not defaulted: an absent field leaves the validated config (and run ids) as before. */
const allowPartial = z.boolean().optional();

/**
 * One strict schema per dataset. Shared fields: `trainSize` / `testSize` (real sets: a seeded
 * random subset, absent = all; synthetic sets: how many to draw, default 1000 each) and `seed`
 * (default 0: picks the subset, or generates a synthetic set). Image sets: `scale` 'unit'
 * (default, pixels in [0, 1]) or 'raw' (0–255). CIFAR-10: `dir` (default
 * data/cifar-10-batches-bin under the project root; relative paths are resolved against the
 * working directory) and `standardize` (default false: per-channel mean/std, see CIFAR10_MEAN).
 * gaussian-mixture: `classes` 3, `dim` 2, `separation` 3, `noise` 1. linear-regression: `dim`
 * 10, `noise` 0.1. Real sets: `allowPartial` (default false) accepts files with fewer records
 * than the dataset has (the loaded set then says `partial: true` and what is `missing`); without
 * it a short, missing, doubled or misplaced file is an error naming it.
 */
export const DATASET_SCHEMAS = {
  mnist: z.object({ name: z.literal('mnist'), ...subsetSizes, seed, scale, allowPartial }).strict(),
  'fashion-mnist': z.object({ name: z.literal('fashion-mnist'), ...subsetSizes, seed, scale, allowPartial }).strict(),
  cifar10: z
    .object({
      name: z.literal('cifar10'),
      ...subsetSizes,
      seed,
      scale,
      dir: z.string().min(1).optional(),
      standardize: z.boolean().default(false),
      allowPartial,
    })
    .strict(),
  'gaussian-mixture': z
    .object({
      name: z.literal('gaussian-mixture'),
      trainSize: size.default(1000),
      testSize: size.default(1000),
      seed,
      classes: z.number().int().min(2).max(10_000).default(3),
      dim: z.number().int().min(1).max(1_000_000).default(2),
      separation: nonNegative.default(3),
      noise: nonNegative.default(1),
    })
    .strict(),
  'linear-regression': z
    .object({
      name: z.literal('linear-regression'),
      trainSize: size.default(1000),
      testSize: size.default(1000),
      seed,
      dim: z.number().int().min(1).max(1_000_000).default(10),
      noise: nonNegative.default(0.1),
    })
    .strict(),
} as const satisfies Record<DatasetName, z.ZodType>;

/** Any dataset spec: a name ("mnist", with its defaults) or an object with a `name`. */
export const datasetSpecSchema = namedUnion('name', DATASET_SCHEMAS, { bareName: true, what: 'a dataset' });
/** A dataset spec as written by a user (defaults not yet filled in). */
export type DatasetSpec = Exclude<z.input<typeof datasetSpecSchema>, string>;
export type ParsedDatasetSpec = z.output<typeof datasetSpecSchema>;

/**
 * Validate a dataset spec and fill in its defaults. Unknown names, fields and values are
 * ConfigErrors naming the field and what is allowed.
 */
export function parseDatasetSpec(input: unknown, where = 'dataset'): ParsedDatasetSpec {
  return parseConfig(datasetSpecSchema, input, where);
}
