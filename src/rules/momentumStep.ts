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
  stepWithGap(s, _i, g, lr, x, out) {
    const { theta, v, gamma } = s;
    let sum = 0;
    let gapSq = 0;
    // fround: the same float32 roundings as `step` (v and θ are stored, then read back there).
    for (let j = 0; j < theta.length; j++) {
      const a = theta[j];
      const d = a - x[j];
      gapSq += d * d;
      const vj = (v[j] = Math.fround(gamma * v[j] + g[j]));
      sum += theta[j] = Math.fround(a - lr * vj);
    }
    out.gapSq = gapSq;
    return sum;
  },
};
