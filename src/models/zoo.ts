import { ConfigError } from '../config/validate.ts';
import type { Task } from '../data/dataset.ts';
import { buildCifarResNet } from './cifarResNet.ts';
import { buildLeNet5 } from './lenet5.ts';
import { buildLeNetAsap } from './lenetAsap.ts';
import { buildLogisticRegression } from './logisticRegression.ts';
import { buildMlp } from './mlp.ts';
import type { Model } from './model.ts';
import { parseModelSpec, type ModelName, type ModelSpec, type ModelSpecInput } from './modelSpec.ts';

export { MODEL_NAMES, INIT_NAMES, MODEL_SCHEMAS, modelSpecSchema, parseModelSpec, type ModelName, type ModelSpec, type ModelSpecInput } from './modelSpec.ts';

/**
 * Build a zoo model for inputs of `inputShape` and `numClasses` outputs (classification) or one
 * output (regression, where numClasses must be 1).
 */
export function buildModel(spec: ModelSpecInput | ModelName, inputShape: readonly number[], numClasses: number, task: Task): Model {
  return buildModelFromSpec(parseModelSpec(spec), inputShape, numClasses, task);
}

/** buildModel for a spec already validated (engines validate the whole config once). */
export function buildModelFromSpec(parsed: ModelSpec, inputShape: readonly number[], numClasses: number, task: Task): Model {
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
