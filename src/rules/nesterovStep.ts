import { initSharedMomentum, sendsTheta, type BaseStep, type SharedMomentumState } from './baseStep.ts';

/** NAG-ASGD (PyTorch nesterov form): send θ; v ← γv + g; θ ← θ − η(g + γv) (one v on the master). */
export const nesterovStep: BaseStep<SharedMomentumState> = {
  ...sendsTheta,
  perWorker: false,
  params: ['lr', 'momentum'],
  init: initSharedMomentum,
  buffer: (s) => s.v,
  step(s, _i, g, lr) {
    const { theta, v, gamma } = s;
    let sum = 0;
    for (let j = 0; j < theta.length; j++) {
      const vj = (v[j] = gamma * v[j] + g[j]);
      theta[j] -= lr * (g[j] + gamma * vj);
      sum += theta[j];
    }
    return sum;
  },
};
