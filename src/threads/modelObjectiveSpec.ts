import { z } from 'zod';

/**
 * The dataset of a model run, as loadDataset takes it. Its name and sizes are checked by
 * loadDataset (inside each worker and once on the main thread before any worker starts).
 */
export const datasetRefSchema = z
  .object({
    name: z.string().min(1),
    trainSize: z.number().int().min(1).optional(),
    testSize: z.number().int().min(1).optional(),
    seed: z.number().int().optional(),
  })
  .strict();

/**
 * The model of a model run: validated by the model zoo's own schema (parseModelSpec) in runThreads,
 * loaded lazily so runs on built-in objectives never load TensorFlow.js.
 */
export const modelRefSchema = z.unknown();
