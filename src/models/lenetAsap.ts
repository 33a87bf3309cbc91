import { buildConvNet } from './convNet.ts';
import type { LeNetOptions } from './lenet5.ts';
import type { Model } from './model.ts';

/**
 * The LeNet variant the ASAP.SGD authors train: conv 6@5×5, conv 16@5×5, dense 120, dense to
 * classes. Assumption (their code could not be read here): each conv is 'valid', followed by
 * the activation and a 2×2 max pool, as in LeNet-5; on 28×28 inputs the head sees 4×4×16.
 * Their initialisation N(0, 0.01²) is `init: { normal: 0.01 }`.
 */
export function buildLeNetAsap(inputShape: readonly number[], outputSize: number, options: LeNetOptions): Model {
  return buildConvNet({
    name: 'lenet-asap',
    inputShape,
    outputSize,
    convs: [
      { filters: 6, kernel: 5, pad: 'valid' },
      { filters: 16, kernel: 5, pad: 'valid' },
    ],
    denseWidths: [120],
    activation: options.activation,
    init: options.init,
  });
}
