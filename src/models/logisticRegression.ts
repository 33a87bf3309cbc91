import { dense, flattenRows } from './layerOps.ts';
import { sizeOf, type InitSpec, type Model } from './model.ts';
import { ParamTable } from './paramTable.ts';

export interface LogisticRegressionOptions {
  /** Initialisation of the weight matrix (the bias starts at 0). */
  init: InitSpec;
}

/**
 * One dense layer from the flattened input to `outputSize` logits: multinomial logistic
 * regression under softmax cross-entropy, or linear regression (outputSize 1) under MSE.
 */
export function buildLogisticRegression(
  inputShape: readonly number[],
  outputSize: number,
  options: LogisticRegressionOptions,
): Model {
  const inputSize = sizeOf(inputShape);
  const table = new ParamTable();
  const w = table.add('dense/kernel', [inputSize, outputSize], options.init);
  const b = table.add('dense/bias', [outputSize], 'zeros');
  return {
    name: 'logreg',
    description: `logreg(${inputSize}-${outputSize})`,
    inputShape: [...inputShape],
    outputSize,
    paramSpecs: table.params,
    dim: table.dim,
    stateSpecs: table.states,
    stateDim: table.stateDim,
    forward: (params, x) => ({ logits: dense(flattenRows(x), params[w], params[b]) }),
  };
}
