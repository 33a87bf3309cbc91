import type * as tf from '@tensorflow/tfjs';
import { activate, dense, flattenRows, type Activation } from './layerOps.ts';
import { sizeOf, type InitSpec, type Model } from './model.ts';
import { ParamTable } from './paramTable.ts';

export interface MlpOptions {
  /** Hidden layer widths, input side first, e.g. [256, 128]. */
  widths: readonly number[];
  activation: Activation;
  /** Initialisation of every weight matrix (biases start at 0). */
  init: InitSpec;
}

/** Fully connected network: flatten → (dense → activation) per hidden width → dense to outputs. */
export function buildMlp(inputShape: readonly number[], outputSize: number, options: MlpOptions): Model {
  const sizes = [sizeOf(inputShape), ...options.widths, outputSize];
  const table = new ParamTable();
  const layers = sizes.slice(1).map((out, i) => ({
    w: table.add(`dense${i + 1}/kernel`, [sizes[i], out], options.init),
    b: table.add(`dense${i + 1}/bias`, [out], 'zeros'),
  }));
  return {
    name: 'mlp',
    description: `mlp(${sizes.join('-')})`,
    inputShape: [...inputShape],
    outputSize,
    paramSpecs: table.params,
    dim: table.dim,
    stateSpecs: table.states,
    stateDim: table.stateDim,
    forward(params, x) {
      let h: tf.Tensor = flattenRows(x);
      layers.forEach((layer, i) => {
        h = dense(h, params[layer.w], params[layer.b]);
        if (i < layers.length - 1) h = activate(h, options.activation);
      });
      return { logits: h as tf.Tensor2D };
    },
  };
}
