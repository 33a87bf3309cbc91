import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/initBackend.ts';
import { buildModel } from '../src/models/zoo.ts';
import { createModelOracle } from '../src/oracle/modelOracle.ts';
import { syntheticImages } from './syntheticImages.ts';
const which = process.argv[2] ?? 'mlp';
await initBackend({ backend: 'wasm' });
const spec = which === 'mlp' ? { name: 'mlp', widths: [256, 128] } : { name: 'lenet5' };
const data = syntheticImages(which, [28, 28, 1], 10, 512);
const oracle = createModelOracle({ model: buildModel(spec as any, [28, 28, 1], 10, 'classification'), dataset: data });
const theta = oracle.init(1);
const batches = oracle.batches(128, 1);
for (let i = 0; i < 5; i++) await oracle.gradient(theta, batches.next());
const t0 = performance.now();
for (let i = 0; i < 10; i++) await oracle.gradient(theta, batches.next());
console.log('ms/step', (performance.now() - t0) / 10);
const agg = new Map<string, number>();
for (let r = 0; r < 5; r++) {
  const info = await tf.profile(async () => { await oracle.gradient(theta, batches.next()); });
  for (const k of info.kernels) agg.set(k.name + ' ' + JSON.stringify(k.inputShapes), (agg.get(k.name + ' ' + JSON.stringify(k.inputShapes)) ?? 0) + (k.kernelTimeMs as number) / 5);
}
const rows = [...agg].sort((a, b) => b[1] - a[1]);
let tot = 0; for (const [, v] of rows) tot += v;
console.log('kernel total', tot.toFixed(2));
for (const [k, v] of rows.slice(0, 30)) console.log(v.toFixed(2).padStart(7), k);
