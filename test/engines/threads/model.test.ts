import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runThreads } from '../../../src/engines/threads/runThreads.ts';
import { liveThreadWorkers } from '../../../src/engines/threads/workerGang.ts';
import { ConfigError } from '../../../src/config/validate.ts';

test('MLP on an MNIST subset, 2 Hogwild! threads with their own tfjs (wasm): loss falls, staleness spreads', async () => {
  const r = await runThreads({
    sync: 'hogwild',
    workers: 2,
    lr: 0.05,
    batchSize: 32,
    steps: 300,
    evalEvery: 100,
    evalSubset: 1000,
    evalSplits: ['train', 'test'],
    backend: 'wasm',
    model: { name: 'mlp', widths: [128] },
    dataset: { name: 'mnist', trainSize: 5000, testSize: 1000 },
    seed: 1,
  });
  assert.equal(r.record.status, 'finished');
  assert.equal(r.record.backend, 'wasm');
  assert.equal(r.updates.numRows(), 300);
  const train = r.evals.filter((d: { split: string }) => d.split === 'train');
  const loss = train.array('loss') as number[];
  assert.ok(loss.length >= 2);
  assert.ok(loss[loss.length - 1] < 0.7 * loss[0], `train loss ${loss[0]} → ${loss[loss.length - 1]}`);
  const acc = r.evals.filter((d: { split: string }) => d.split === 'test').array('accuracy') as number[];
  assert.ok(acc[acc.length - 1] > 0.6, `test accuracy ${acc[acc.length - 1]}`);
  const taus = new Set(r.updates.array('staleness') as number[]);
  assert.ok(taus.size >= 2 && [...taus].some((t) => t >= 1), `staleness values seen: ${[...taus]}`);
  const threads = new Set(r.updates.array('worker') as number[]);
  assert.deepEqual([...threads].sort(), [0, 1], 'both threads applied updates');
  assert.equal(liveThreadWorkers(), 0);
  const s = r.record.summary!;
  console.log(`mlp-128 mnist hogwild T=2: ${r.record.wallTimeSec.toFixed(2)} s, loss ${loss[0].toFixed(3)} → ${loss[loss.length - 1].toFixed(3)}, τ mean ${s.staleness_mean} p90 ${s.staleness_p90} max ${s.staleness_max}`);
});

test('a bad model, dataset or batch size fails before any worker starts', async () => {
  const ok = { sync: 'lock', workers: 2, lr: 0.1, steps: 10, dataset: { name: 'mnist', trainSize: 100, testSize: 100 } } as const;
  await assert.rejects(runThreads({ ...ok, model: { name: 'mlpp' } }), (e: Error) => e instanceof ConfigError && /config\.model/.test(e.message));
  await assert.rejects(runThreads({ ...ok, model: { name: 'mlp' }, dataset: { name: 'imagenet' } }), (e: Error) => e instanceof ConfigError && /config\.dataset\.name.*"mnist"/.test(e.message));
  await assert.rejects(runThreads({ ...ok, model: { name: 'mlp' }, batchSize: 101 }), (e: Error) => e instanceof ConfigError && /batchSize: expected an integer in 1…100/.test(e.message));

  assert.equal(liveThreadWorkers(), 0);
});
