import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/initBackend.ts';
await initBackend({ backend: 'wasm' });
function t(name: string, f: () => tf.Tensor, reps = 30) {
  for (let i = 0; i < 3; i++) f().dispose();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) { const y = f(); y.dataSync(); y.dispose(); }
  console.log(name.padEnd(40), ((performance.now() - t0) / reps).toFixed(3), 'ms');
}
const x = tf.randomUniform([128, 784]); const dy = tf.randomUniform([128, 256]); const w = tf.randomUniform([784, 256]);
const xT = tf.transpose(x); const wT = tf.transpose(w);
t('fwd x·w', () => tf.matMul(x, w));
t('dW x^T·dy (transposeA)', () => tf.matMul(x, dy, true, false));
t('dW xT·dy (pre-transposed)', () => tf.matMul(xT, dy));
t('dW transpose then mm', () => tf.tidy(() => tf.matMul(tf.transpose(x), dy)));
t('dX dy·w^T (transposeB)', () => tf.matMul(dy, w, false, true));
t('dX dy·wT pre', () => tf.matMul(dy, wT));
t('dX transpose then mm', () => tf.tidy(() => tf.matMul(dy, tf.transpose(w))));
t('transpose x', () => tf.transpose(x));
const a = tf.randomUniform([1024, 1024]); const b = tf.randomUniform([1024, 1024]);
t('1024 mm', () => tf.matMul(a, b), 5);
const a2 = tf.randomUniform([2048, 2048]); const b2 = tf.randomUniform([2048, 2048]);
t('2048 mm', () => tf.matMul(a2, b2), 3);
// batched
const xs = tf.randomUniform([8, 128, 784]); const ws = tf.randomUniform([8, 784, 256]);
t('batched 8 fwd', () => tf.matMul(xs, ws), 5);
