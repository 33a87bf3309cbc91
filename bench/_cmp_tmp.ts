import { initBackend } from '../src/backend/initBackend.ts';
import { buildModel } from '../src/models/zoo.ts';
import { createModelOracle } from '../src/oracle/modelOracle.ts';
import { createModelOracle as oldOracle } from './_oldOracle_tmp.ts';
import { syntheticImages } from './syntheticImages.ts';
const which = process.argv[2] ?? 'mlp';
await initBackend({ backend: 'wasm' });
const spec = which === 'mlp' ? { name: 'mlp', widths: [256, 128] } : { name: 'lenet5' };
const data = syntheticImages(which, [28, 28, 1], 10, 512);
const mk = (f: any) => f({ model: buildModel(spec as any, [28, 28, 1], 10, 'classification'), dataset: data });
const a = mk(createModelOracle), b = mk(oldOracle);
const theta = a.init(1); const batches = a.batches(128, 1);
const bs = Array.from({length: 8}, () => batches.next());
for (let r = 0; r < 4; r++) for (const [name, o] of [['new', a], ['old', b]] as const) {
  for (let i = 0; i < 3; i++) await o.gradient(theta, bs[i]);
  const t0 = performance.now(); for (let i = 0; i < 20; i++) await o.gradient(theta, bs[i % 8]);
  console.log(name, ((performance.now() - t0) / 20).toFixed(2));
}
const ga = await a.gradient(theta, bs[0]), gb = await b.gradient(theta, bs[0]);
let d = 0; for (let j = 0; j < ga.g.length; j++) d = Math.max(d, Math.abs(ga.g[j] - gb.g[j])); console.log('maxdiff', d, ga.loss, gb.loss);
// batched
const thetas = bs.map((_, i) => { const t = theta.slice(); t[0] += i; return t; });
for (let r = 0; r < 3; r++) {
  let t0 = performance.now(); for (let i = 0; i < 8; i++) await a.gradient(thetas[i], bs[i]); const one = performance.now() - t0;
  t0 = performance.now(); await a.gradients!(thetas, bs); const many = performance.now() - t0;
  console.log('8 one-by-one', one.toFixed(1), 'batched', many.toFixed(1));
}
