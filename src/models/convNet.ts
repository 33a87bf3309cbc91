import * as tf from '@tensorflow/tfjs';
import { activate, conv, dense, flattenRows, type Activation } from './layerOps.ts';
import type { InitSpec, Model } from './model.ts';
import { ParamTable } from './paramTable.ts';

export interface ConvStage {
  filters: number;
  kernel: number;
  pad: 'same' | 'valid';
}

export interface ConvNetLayout {
  name: string;
  inputShape: readonly number[];
  outputSize: number;
  /** Each stage: conv (with bias) → activation → 2×2 max pool, stride 2. */
  convs: readonly ConvStage[];
  /** Hidden dense widths after flattening; a last dense layer maps to `outputSize`. */
  denseWidths: readonly number[];
  activation: Activation;
  init: InitSpec;
}

/** Spatial size after a conv with stride 1 and then a 2×2/2 'valid' max pool. */
function stageOutput(size: number, stage: ConvStage): number {
  const afterConv = stage.pad === 'same' ? size : size - stage.kernel + 1;
  return Math.floor(afterConv / 2);
}

/** The LeNet family: a few conv/pool stages, then a small fully connected head. */
export function buildConvNet(layout: ConvNetLayout): Model {
  if (layout.inputShape.length !== 3) {
    throw new RangeError(
      `${layout.name}: needs image inputs [height, width, channels], got inputShape [${layout.inputShape.join(', ')}]`,
    );
  }
  let [h, w, c] = layout.inputShape;
  const table = new ParamTable();
  const convs = layout.convs.map((stage, i) => {
    const ids = {
      k: table.add(`conv${i + 1}/kernel`, [stage.kernel, stage.kernel, c, stage.filters], layout.init),
      b: table.add(`conv${i + 1}/bias`, [stage.filters], 'zeros'),
      stage,
    };
    h = stageOutput(h, stage);
    w = stageOutput(w, stage);
    c = stage.filters;
    if (h < 1 || w < 1) {
      throw new RangeError(`${layout.name}: inputShape [${layout.inputShape.join(', ')}] is too small for its conv/pool stages`);
    }
    return ids;
  });
  const sizes = [h * w * c, ...layout.denseWidths, layout.outputSize];
  const denses = sizes.slice(1).map((out, i) => ({
    w: table.add(`dense${i + 1}/kernel`, [sizes[i], out], layout.init),
    b: table.add(`dense${i + 1}/bias`, [out], 'zeros'),
  }));
  const convText = layout.convs.map((s) => `conv${s.filters}@${s.kernel}x${s.kernel}${s.pad === 'same' ? 's' : ''}`);
  return {
    name: layout.name,
    description: `${layout.name}(${[layout.inputShape.join('x'), ...convText, ...sizes.slice(1)].join('-')})`,
    inputShape: [...layout.inputShape],
    outputSize: layout.outputSize,
    paramSpecs: table.params,
    dim: table.dim,
    stateSpecs: table.states,
    stateDim: table.stateDim,
    forward(params, x) {
      let y: tf.Tensor = x;
      for (const { k, b, stage } of convs) {
        y = activate(conv(y, params[k], 1, stage.pad, params[b]), layout.activation);
        y = tf.maxPool(y as tf.Tensor4D, 2, 2, 'valid');
      }
      y = flattenRows(y);
      denses.forEach((layer, i) => {
        y = dense(y, params[layer.w], params[layer.b]);
        if (i < denses.length - 1) y = activate(y, layout.activation);
      });
      return { logits: y as tf.Tensor2D };
    },
  };
}
