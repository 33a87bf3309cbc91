import { z } from 'zod';
import { ConfigError, parseConfig } from '../config/validate.ts';
import type { Task } from '../data/dataset.ts';
import { buildCifarResNet } from './cifarResNet.ts';
import { ACTIVATIONS } from './layerOps.ts';
import { buildLeNet5 } from './lenet5.ts';
import { buildLeNetAsap } from './lenetAsap.ts';
import { buildLogisticRegression } from './logisticRegression.ts';
import { buildMlp } from './mlp.ts';
import type { Model } from './model.ts';

export const MODEL_NAMES = ['logreg', 'mlp', 'lenet5', 'lenet-asap', 'resnet20', 'resnet32', 'resnet56'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export const INIT_NAMES = ['he-normal', 'glorot-uniform', 'zeros', 'ones'] as const;

/** Kernel initialisation: a named scheme or `{ normal: std }` (see InitSpec). */
export const initSpecSchema = z.union([z.enum(INIT_NAMES), z.object({ normal: z.number().positive().finite() }).strict()], {
  error: `expected one of ${INIT_NAMES.map((n) => `"${n}"`).join('|')} or { normal: std > 0 }`,
});

const activation = z.enum(ACTIVATIONS as [string, ...string[]]).transform((a) => a as 'relu' | 'tanh');

const lenetSchema = <N extends 'lenet5' | 'lenet-asap'>(name: N) =>
  z.object({ name: z.literal(name), activation: activation.default('relu'), init: initSpecSchema.default('glorot-uniform') }).strict();
const resnetSchema = <N extends 'resnet20' | 'resnet32' | 'resnet56'>(name: N) =>
  z.object({ name: z.literal(name), init: initSpecSchema.default('he-normal') }).strict();

/**
 * One strict schema per model. Defaults: `widths` [256, 128] (mlp), `activation` relu, `init`
 * glorot-uniform for logreg/mlp/LeNets and he-normal for ResNets. `init` sets every weight and
 * kernel; biases start at 0, batch-norm scales at 1.
 */
export const MODEL_SCHEMAS = {
  logreg: z.object({ name: z.literal('logreg'), init: initSpecSchema.default('glorot-uniform') }).strict(),
  mlp: z
    .object({
      name: z.literal('mlp'),
      widths: z.array(z.number().int().min(1).max(1_000_000)).readonly().default([256, 128]),
      activation: activation.default('relu'),
      init: initSpecSchema.default('glorot-uniform'),
    })
    .strict(),
  lenet5: lenetSchema('lenet5'),
  'lenet-asap': lenetSchema('lenet-asap'),
  resnet20: resnetSchema('resnet20'),
  resnet32: resnetSchema('resnet32'),
  resnet56: resnetSchema('resnet56'),
} as const satisfies Record<ModelName, z.ZodType>;

/** Any model config (for embedding in larger config schemas). */
export const modelSpecSchema = z.discriminatedUnion('name', [
  MODEL_SCHEMAS.logreg,
  MODEL_SCHEMAS.mlp,
  MODEL_SCHEMAS.lenet5,
  MODEL_SCHEMAS['lenet-asap'],
  MODEL_SCHEMAS.resnet20,
  MODEL_SCHEMAS.resnet32,
  MODEL_SCHEMAS.resnet56,
]);
export type ModelSpecInput = z.input<typeof modelSpecSchema>;
export type ModelSpec = z.output<typeof modelSpecSchema>;

const nameOnly = z.object({ name: z.enum(MODEL_NAMES) }).loose();

/**
 * Validate a model config and fill in its defaults. Unknown names, fields and values are
 * ConfigErrors naming the field and what is allowed.
 */
export function parseModelSpec(input: unknown, where = 'model'): ModelSpec {
  // A bare name ("mlp") stands for the model with its defaults.
  const spec = typeof input === 'string' ? { name: input } : input;
  // The name first, then that model's own schema, so errors list that model's fields rather
  // than report a failed union.
  const { name } = parseConfig(nameOnly, spec, where);
  return parseConfig(MODEL_SCHEMAS[name] as z.ZodType<ModelSpec>, spec, where);
}

/**
 * Build a zoo model for inputs of `inputShape` and `numClasses` outputs (classification) or one
 * output (regression, where numClasses must be 1).
 */
export function buildModel(spec: ModelSpecInput | ModelName, inputShape: readonly number[], numClasses: number, task: Task): Model {
  const parsed = parseModelSpec(spec);
  if (!inputShape.length || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ConfigError(`model: inputShape must be positive integers, got [${inputShape.join(', ')}]`);
  }
  if (task === 'regression' && numClasses !== 1) {
    throw new ConfigError(`model: a regression task has one output; numClasses must be 1, got ${numClasses}`);
  }
  if (task === 'classification' && !(Number.isInteger(numClasses) && numClasses >= 2)) {
    throw new ConfigError(`model: classification needs numClasses ≥ 2, got ${numClasses}`);
  }
  try {
    switch (parsed.name) {
      case 'logreg':
        return buildLogisticRegression(inputShape, numClasses, parsed);
      case 'mlp':
        return buildMlp(inputShape, numClasses, parsed);
      case 'lenet5':
        return buildLeNet5(inputShape, numClasses, parsed);
      case 'lenet-asap':
        return buildLeNetAsap(inputShape, numClasses, parsed);
      case 'resnet20':
      case 'resnet32':
      case 'resnet56':
        return buildCifarResNet(inputShape, numClasses, { depth: Number(parsed.name.slice(6)), init: parsed.init });
    }
  } catch (e) {
    // Shape mismatches (a CNN on flat inputs, images too small) are bad input, not bugs.
    if (e instanceof RangeError) throw new ConfigError(`model: ${e.message}`);
    throw e;
  }
}
