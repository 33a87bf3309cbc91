import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/initBackend.ts';
await initBackend({ backend: 'wasm' });
const theta = new Float32Array(235146).map(() => Math.random());
const shapes = [[784,256],[256],[256,128],[128],[128,10],[10]];
function t(name: string, f: () => void, reps = 50) { for (let i=0;i<5;i++) f(); const t0=performance.now(); for (let i=0;i<reps;i++) f(); console.log(name, ((performance.now()-t0)/reps).toFixed(3)); }
t('slice', () => { theta.slice(); });
t('tensor1d', () => { tf.tensor1d(theta).dispose(); });
t('tensor1d slice', () => { tf.tensor1d(theta.slice()).dispose(); });
t('per-param', () => { const c = theta.slice(); let o=0; const ts = shapes.map(s => { const n = s.reduce((a,b)=>a*b,1); const r = tf.tensor(c.subarray(o,o+n), s); o+=n; return r;}); tf.dispose(ts); });
t('split', () => { tf.tidy(() => { const f = tf.tensor1d(theta); tf.split(f, shapes.map(s => s.reduce((a,b)=>a*b,1))); }); });
