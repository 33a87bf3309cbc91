import { buildConvNet } from './convNet.ts';
import type { Activation } from './layerOps.ts';
import type { InitSpec, Model } from './model.ts';

export interface LeNetOptions {
  activation: Activation;
  /** Initialisation of every kernel (biases start at 0). */
  init: InitSpec;
}

/**
 * LeNet-5 (LeCun et al. 1998) in its common modern form: conv 6@5×5 → pool → conv 16@5×5 →
 * pool → dense 120 → 84 → classes, with max pooling and `activation` (relu by default; tanh is
 * closer to the original, which also used average subsampling). The first conv pads 'same' on
 * inputs under 32×32, so 28×28 MNIST reaches the 5×5×16 feature map the 32×32 layout has.
 */
export function buildLeNet5(inputShape: readonly number[], outputSize: number, options: LeNetOptions): Model {
  const pad = inputShape.length === 3 && Math.min(inputShape[0], inputShape[1]) < 32 ? 'same' : 'valid';
  return buildConvNet({
    name: 'lenet5',
    inputShape,
    outputSize,
    convs: [
      { filters: 6, kernel: 5, pad },
      { filters: 16, kernel: 5, pad: 'valid' },
    ],
    denseWidths: [120, 84],
    activation: options.activation,
    init: options.init,
  });
}
