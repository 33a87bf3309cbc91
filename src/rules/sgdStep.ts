import { sendsTheta, type BaseStep } from './baseStep.ts';

export interface SgdState {
  theta: Float32Array;
}

/** ASGD: send θ; θ ← θ − η g. */
export const sgdStep: BaseStep<SgdState> = {
  ...sendsTheta,
  perWorker: false,
  params: ['lr'],
  init: (theta0) => ({ theta: theta0.slice() }),
  buffer: () => null,
  step(s, _i, g, lr) {
    const theta = s.theta;
    let sum = 0;
    for (let j = 0; j < theta.length; j++) {
      theta[j] -= lr * g[j];
      sum += theta[j];
    }
    return sum;
  },
};
