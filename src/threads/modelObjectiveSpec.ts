import { z } from 'zod';

/**
 * `model` and `dataset` of a model run are validated by their owners' schemas (parseModelSpec,
 * parseDatasetSpec) in runThreads, after the config's own fields: the model zoo loads
 * TensorFlow.js, which runs on built-in objectives never need.
 */
export const modelRefSchema = z.unknown();
export const datasetRefSchema = z.unknown();
