import { z } from 'zod';
import { namedUnion } from '../config/namedUnion.ts';
import { parseConfig } from '../config/validate.ts';

/**
 * Model specs: names and schemas only, with no TensorFlow.js import, so that configs embed the
 * real model schema and validating one never loads tfjs (the builders live in zoo.ts).
 */
export const MODEL_NAMES = ['logreg', 'mlp', 'lenet5', 'lenet-asap', 'resnet20', 'resnet32', 'resnet56'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export const INIT_NAMES = ['he-normal', 'glorot-uniform', 'zeros', 'ones'] as const;
export const ACTIVATIONS = ['relu', 'tanh'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Kernel initialisation: a named scheme or `{ normal: std }`. */
export const initSpecSchema = z.union([z.enum(INIT_NAMES), z.object({ normal: z.number().positive().finite() }).strict()], {
  error: `expected one of ${INIT_NAMES.map((n) => `"${n}"`).join('|')} or { normal: std > 0 }`,
});

const activation = z.enum(ACTIVATIONS);

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

/** Any model spec: a name ("mlp", the model with its defaults) or an object with a `name`. */
export const modelSpecSchema = namedUnion('name', MODEL_SCHEMAS, { bareName: true, what: 'a model' });
export type ModelSpecInput = z.input<typeof modelSpecSchema>;
export type ModelSpec = z.output<typeof modelSpecSchema>;

/** Validate a model spec and fill in its defaults; ConfigError naming the field and what is allowed. */
export function parseModelSpec(input: unknown, where = 'model'): ModelSpec {
  return parseConfig(modelSpecSchema, input, where);
}
