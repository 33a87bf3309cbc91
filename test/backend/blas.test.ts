/**
 * The native 'blas' backend (native/src on OpenBLAS) against TensorFlow.js on the same models,
 * parameters and minibatches. Needs the addon (scripts/setup-native.sh); CI sets
 * STALELAB_REQUIRE_NATIVE=1, so there a missing addon fails rather than skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBlasAddon } from '../../src/backend/blas/blasAddon.ts';
import { createBlasOracle } from '../../src/backend/blas/blasOracle.ts';
import { BLAS_MODELS } from '../../src/backend/blas/netProgram.ts';
import { BackendUnavailableError, initBackend } from '../../src/backend/initBackend.ts';
import { loadDataset } from '../../src/data/loadDataset.ts';
import { buildModel, parseModelSpec } from '../../src/models/zoo.ts';
import { createModelOracle } from '../../src/oracle/modelOracle.ts';
import { buildModelOracle } from '../../src/oracle/buildModelOracle.ts';
import { runExperiment } from '../../src/run/runExperiment.ts';

const loaded = loadBlasAddon();
const missing = 'error' in loaded ? loaded.error : null;
if (missing && process.env.STALELAB_REQUIRE_NATIVE) throw new Error(`STALELAB_REQUIRE_NATIVE is set but ${missing}`);
const skip = missing ? `the native addon is not available: ${missing}` : false;

/** ‖a − e‖∞ / max(‖e‖∞, tiny): float32 round-off of two different summation orders. */
function relDiff(a: ArrayLike<number>, e: ArrayLike<number>): number {
  let d = 0;
  let s = 1e-6;
  for (let j = 0; j < e.length; j++) {
    d = Math.max(d, Math.abs(a[j] - e[j]));
    s = Math.max(s, Math.abs(e[j]));
  }
  return d / s;
}

test('every model the backend runs: loss, gradient and evaluation equal TensorFlow.js (cpu) to float32 round-off', { skip }, async () => {
  if ('error' in loaded) return;
  await initBackend({ backend: 'cpu' });
  const mnist = await loadDataset({ name: 'mnist', trainSize: 300, testSize: 100 });
  const regression = await loadDataset({ name: 'linear-regression', trainSize: 200, testSize: 50, dim: 6 });
  const cases: [unknown, typeof mnist][] = [
    ['logreg', mnist],
    [{ name: 'mlp', widths: [32] }, mnist],
    [{ name: 'mlp', widths: [24, 16], activation: 'tanh' }, mnist],
    ['lenet5', mnist],
    [{ name: 'lenet5', activation: 'tanh' }, mnist],
    ['lenet-asap', mnist],
    ['logreg', regression],
    [{ name: 'mlp', widths: [8] }, regression],
  ];
  const seen = new Set<string>();
  for (const [input, dataset] of cases) {
    const spec = parseModelSpec(input);
    seen.add(spec.name);
    const model = buildModel(spec, dataset.inputShape, dataset.numClasses, dataset.task);
    const blas = createBlasOracle({ addon: loaded.addon, spec, model, dataset });
    const tfjs = createModelOracle({ model, dataset });
    const theta = tfjs.init(5);
    assert.deepEqual(blas.init(5), theta, 'the same initialisation');
    const batches = tfjs.batches(16, 2);
    for (let k = 0; k < 3; k++) {
      const batch = batches.at(k);
      const [a, e] = [await blas.gradient(theta, batch), await tfjs.gradient(theta, batch)];
      const what = `${model.description} on ${dataset.name}, batch ${k}`;
      assert.ok(Math.abs(a.loss - e.loss) <= 1e-5 * Math.max(1, Math.abs(e.loss)), `${what}: loss ${a.loss} vs ${e.loss}`);
      assert.ok(relDiff(a.g, e.g) < 1e-5, `${what}: gradient differs by ${relDiff(a.g, e.g)}`);
      assert.ok(e.g.some((v) => v !== 0));
    }
    for (const split of ['train', 'test'] as const) {
      const [a, e] = [await blas.evaluate(theta, split), await tfjs.evaluate(theta, split)];
      assert.ok(Math.abs(a.loss - e.loss) <= 1e-5 * Math.max(1, Math.abs(e.loss)), `${model.description} ${split} loss ${a.loss} vs ${e.loss}`);
      assert.equal(a.accuracy, e.accuracy);
    }
    blas.dispose();
    tfjs.dispose();
  }
  assert.deepEqual([...seen].sort(), [...BLAS_MODELS].sort(), 'every model the backend claims is checked');
});

test("backend 'blas' refuses models it does not run; 'auto' picks it for the ones it does", { skip }, async () => {
  const cifarLike = await loadDataset({ name: 'gaussian-mixture', trainSize: 64, testSize: 16, dim: 4 });
  await assert.rejects(buildModelOracle(parseModelSpec('resnet20'), cifarLike, { backend: 'blas' }), (e: Error) => e instanceof BackendUnavailableError && /runs logreg, mlp, lenet5, lenet-asap; "resnet20" needs a TensorFlow\.js backend/.test(e.message));
  const auto = await buildModelOracle(parseModelSpec('logreg'), cifarLike, { backend: 'auto' });
  assert.equal(auto.backend.name, 'blas');
  assert.match(auto.backend.reason, /auto chose 'blas'/);
  assert.match(auto.backend.versions.openblas, /OpenBLAS/);
  auto.oracle.dispose();
});

test('a simulated and a threads run on blas train, and the record says so', { skip }, async () => {
  const base = { model: { name: 'mlp', widths: [32] }, dataset: { name: 'mnist', trainSize: 2000, testSize: 500 }, backend: 'blas', lr: 0.1, batchSize: 32, steps: 150, evalEvery: 150 };
  for (const extra of [{ engine: 'sim', workers: 4 }, { engine: 'threads', workers: 2, sync: 'lock' }]) {
    const r = await runExperiment({ ...base, ...extra });
    assert.equal(r.record.status, 'finished', extra.engine);
    assert.equal(r.record.backend, 'blas');
    const acc = r.evals.array('accuracy') as number[];
    assert.ok(acc.at(-1)! > acc[0] + 0.3, `${extra.engine}: test accuracy ${acc[0]} → ${acc.at(-1)}`);
  }
});
