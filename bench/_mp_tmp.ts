import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/initBackend.ts';
await initBackend({ backend: 'wasm' });
const x = tf.randomUniform([128, 28, 28, 6]);
const f = () => tf.tidy(() => tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid').sum())(x));
for (let i = 0; i < 20; i++) f().dispose();
const info = await tf.profile(() => f());
console.log(info.kernels.map(k => k.name + ' ' + (k.kernelTimeMs as number).toFixed(2)).join('\n'));
