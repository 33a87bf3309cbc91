import { initPerWorkerMomentum, sendsTheta, type BaseStep, type PerWorkerMomentumState } from './baseStep.ts';

/** Multi-ASGD: send θ; v_i ← γv_i + g; θ ← θ − η v_i (one momentum per worker, kept on the master). */
export const multiMomentumStep: BaseStep<PerWorkerMomentumState> = {
  ...sendsTheta,
  perWorker: true,
  params: ['lr', 'momentum'],
  init: initPerWorkerMomentum,
  buffer: (s, i) => s.v[i],
  step(s, i, g, lr) {
    const { theta, gamma } = s;
    const v = s.v[i];
    let sum = 0;
    for (let j = 0; j < theta.length; j++) {
      v[j] = gamma * v[j] + g[j];
      theta[j] -= lr * v[j];
      sum += theta[j];
    }
    return sum;
  },
};
