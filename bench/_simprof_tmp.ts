import { initBackend } from '../src/backend/initBackend.ts';
import { runExperiment } from '../src/sim/runExperiment.ts';
import { benchOracle } from './trainStep.ts';
await initBackend({ backend: 'wasm' });
const o = benchOracle('mlp', 4096);
const rule = process.argv[2] ?? 'asgd';
const r = await runExperiment({ rule, ruleParams: { lr: 0.01 }, workers: 32, batchSize: 128, seed: 1, divergeLoss: 'off', steps: 300 } as any, undefined, { oracle: o });
console.log(rule, (r.record.wallTimeSec * 1000 / 300).toFixed(2), 'ms/update');
