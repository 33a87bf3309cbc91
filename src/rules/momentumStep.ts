import { initSharedMomentum, sendsTheta, type BaseStep, type SharedMomentumState } from './baseStep.ts';

/** Momentum-ASGD (heavy ball, PyTorch form): send θ; v ← γv + g; θ ← θ − η v (one v on the master). */
export const momentumStep: BaseStep<SharedMomentumState> = {
  ...sendsTheta,
  perWorker: false,
  params: ['lr', 'momentum'],
  init: initSharedMomentum,
  buffer: (s) => s.v,
  step(s, _i, g, lr) {
    const { theta, v, gamma } = s;
    let sum = 0;
    for (let j = 0; j < theta.length; j++) {
      v[j] = gamma * v[j] + g[j];
      theta[j] -= lr * v[j];
      sum += theta[j];
    }
    return sum;
  },
};
