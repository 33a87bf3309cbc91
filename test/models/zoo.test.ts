import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../../src/config/validate.ts';
import { BN_EPSILON, batchNorm, foldRunningStats } from '../../src/models/batchNorm.ts';
import { initParams, initState } from '../../src/models/initParams.ts';
import { sizeOf, type Model } from '../../src/models/model.ts';
import { MODEL_NAMES, buildModel, parseModelSpec } from '../../src/models/zoo.ts';
import { flatten, unflatten } from '../../src/models/flatTensors.ts';

before(async () => {
  await tf.setBackend('cpu');
});

function paramTensors(model: Model, theta: Float32Array): tf.Tensor[] {
  return unflatten(tf.tensor1d(theta), model.paramSpecs.map((p) => p.shape));
}

function stdOf(a: Float32Array): number {
  let m = 0;
  for (const v of a) m += v;
  m /= a.length;
  let s = 0;
  for (const v of a) s += (v - m) ** 2;
  return Math.sqrt(s / a.length);
}

function slot(model: Model, theta: Float32Array, name: string): Float32Array {
  let offset = 0;
  for (const p of model.paramSpecs) {
    const size = sizeOf(p.shape);
    if (p.name === name) return theta.subarray(offset, offset + size);
    offset += size;
  }
  throw new Error(`no parameter ${name}`);
}

describe('parameter counts (hand-derived)', () => {
  const cases: [string, object, number[], number, number, number][] = [
    // 784·10 + 10
    ['logreg', { name: 'logreg' }, [784], 10, 7_850, 0],
    // 784·256+256 + 256·128+128 + 128·10+10
    ['mlp 784-256-128-10', { name: 'mlp' }, [784], 10, 235_146, 0],
    ['mlp [128] on 28×28×1', { name: 'mlp', widths: [128] }, [28, 28, 1], 10, 101_770, 0],
    // conv 5·5·1·6+6, conv 5·5·6·16+16, dense 400·120+120, 120·84+84, 84·10+10
    ['lenet5 28×28×1', { name: 'lenet5' }, [28, 28, 1], 10, 61_706, 0],
    ['lenet5 32×32×3', { name: 'lenet5' }, [32, 32, 3], 10, 62_006, 0],
    // conv 156, conv 2416, dense 256·120+120, 120·10+10
    ['lenet-asap 28×28×1', { name: 'lenet-asap' }, [28, 28, 1], 10, 34_622, 0],
    // stem 432 + BN 32; stage convs 6·2304, 4608 + 5·9216, 18432 + 5·36864; BN 2·(6·16+6·32+6·64); dense 650.
    // State: 19 BN layers, 688 channels, mean + variance.
    ['resnet20', { name: 'resnet20' }, [32, 32, 3], 10, 269_722, 1_376],
    ['resnet32', { name: 'resnet32' }, [32, 32, 3], 10, 464_154, 2_272],
    ['resnet56', { name: 'resnet56' }, [32, 32, 3], 10, 853_018, 4_064],
  ];
  for (const [label, spec, shape, classes, dim, stateDim] of cases) {
    test(label, () => {
      const model = buildModel(spec as never, shape, classes, 'classification');
      assert.equal(model.dim, dim);
      assert.equal(model.stateDim, stateDim);
      assert.equal(model.paramSpecs.reduce((s, p) => s + sizeOf(p.shape), 0), dim);
      assert.equal(new Set(model.paramSpecs.map((p) => p.name)).size, model.paramSpecs.length);
    });
  }
  test('every zoo name builds', () => {
    for (const name of MODEL_NAMES) {
      const model = buildModel({ name }, [32, 32, 3], 10, 'classification');
      assert.equal(model.name, name);
    }
  });
});

describe('forward', () => {
  for (const [spec, shape] of [
    [{ name: 'logreg' }, [5]],
    [{ name: 'mlp', widths: [7, 5] }, [3, 4]],
    [{ name: 'lenet5' }, [28, 28, 1]],
    [{ name: 'lenet-asap' }, [28, 28, 1]],
    [{ name: 'resnet20' }, [8, 8, 3]],
  ] as const) {
    test(`${spec.name}: logits are [N, classes], finite, and train stats match the state layout`, () => {
      const model = buildModel(spec, shape, 3, 'classification');
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const params = paramTensors(model, initParams(model, 1));
        const x = tf.randomUniform([4, ...shape], 0, 1, 'float32', 3);
        const train = model.forward(params, x, 'train');
        assert.deepEqual(train.logits.shape, [4, 3]);
        assert.ok(Array.from(train.logits.dataSync()).every(Number.isFinite));
        const stats = train.batchStats ?? [];
        assert.equal(stats.length, model.stateSpecs.length);
        stats.forEach((s, i) => assert.deepEqual(s.shape, model.stateSpecs[i].shape));
        const state = unflatten(tf.tensor1d(initState(model)), model.stateSpecs.map((s) => s.shape));
        const evalOut = model.forward(params, x, 'eval', state);
        assert.deepEqual(evalOut.logits.shape, [4, 3]);
        assert.equal(evalOut.batchStats, undefined);
      });
      assert.equal(tf.memory().numTensors, before);
    });
  }

  test('regression models have one output', () => {
    const model = buildModel({ name: 'mlp', widths: [4] }, [3], 1, 'regression');
    assert.equal(model.outputSize, 1);
    tf.tidy(() => {
      const out = model.forward(paramTensors(model, initParams(model, 0)), tf.ones([6, 3]), 'train');
      assert.deepEqual(out.logits.shape, [6, 1]);
    });
  });

  test('lenet5 on 32×32 uses a valid first conv and on 28×28 a same one (both reach 5×5×16)', () => {
    const small = buildModel({ name: 'lenet5' }, [28, 28, 1], 10, 'classification');
    const large = buildModel({ name: 'lenet5' }, [32, 32, 3], 10, 'classification');
    for (const m of [small, large]) {
      assert.deepEqual(m.paramSpecs.find((p) => p.name === 'dense1/kernel')?.shape, [400, 120]);
    }
  });

  test('resnet option-A shortcut keeps x[::2, ::2] and pads (C_out − C_in)/2 zero channels on each side', () => {
    // With every residual branch's BN scale and shift at 0, each block is relu(shortcut): the stem's
    // output h0 ≥ 0 passes stage 1 unchanged, stage 2 holds h0[::2, ::2] in channels 8–23 and stage 3
    // holds h0[::4, ::4] in channels 24–39. The head reads those channels, so on 8×8 inputs
    // logit c = mean of h0[i, j, c] over i, j ∈ {0, 4}.
    const model = buildModel({ name: 'resnet20' }, [8, 8, 3], 16, 'classification');
    const theta = initParams(model, 5);
    for (const p of model.paramSpecs) {
      if (/^stage.*\/bn[12]\/(gamma|beta)$/.test(p.name)) slot(model, theta, p.name).fill(0);
    }
    const head = slot(model, theta, 'dense/kernel');
    head.fill(0);
    for (let c = 0; c < 16; c++) head[(24 + c) * 16 + c] = 1;
    tf.tidy(() => {
      const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1);
      const logits = model.forward(paramTensors(model, theta), x, 'train').logits.arraySync();
      const stem = tf.conv2d(x as tf.Tensor4D, tf.tensor4d(slot(model, theta, 'conv0/kernel'), [3, 3, 3, 16]), 1, 1);
      const { mean, variance } = tf.moments(stem, [0, 1, 2]);
      const h0 = tf.relu(tf.div(tf.sub(stem, mean), tf.sqrt(tf.add(variance, BN_EPSILON)))).arraySync() as number[][][][];
      for (let n = 0; n < 2; n++) {
        for (let c = 0; c < 16; c++) {
          const expected = (h0[n][0][0][c] + h0[n][0][4][c] + h0[n][4][0][c] + h0[n][4][4][c]) / 4;
          assert.ok(Math.abs(logits[n][c] - expected) < 1e-4, `n=${n} c=${c}: ${logits[n][c]} vs ${expected}`);
        }
      }
    });
  });
});

describe('initParams', () => {
  const model = buildModel({ name: 'mlp', widths: [200] }, [400], 10, 'classification');

  test('is deterministic in the seed and differs between seeds', () => {
    assert.deepEqual(initParams(model, 7), initParams(model, 7));
    assert.notDeepEqual(initParams(model, 7), initParams(model, 8));
  });

  test('glorot-uniform stays within ±√(6/(in+out)) with the matching spread; biases are 0', () => {
    const theta = initParams(model, 1);
    const w = slot(model, theta, 'dense1/kernel');
    const limit = Math.sqrt(6 / 600);
    assert.ok(w.every((v) => Math.abs(v) <= limit));
    assert.ok(Math.abs(stdOf(w) - limit / Math.sqrt(3)) < 0.02 * limit);
    assert.ok(slot(model, theta, 'dense1/bias').every((v) => v === 0));
  });

  test('he-normal has std √(2/fan_in) (conv fan_in = kh·kw·ci); batch-norm scales start at 1', () => {
    const resnet = buildModel({ name: 'resnet20' }, [32, 32, 3], 10, 'classification');
    const theta = initParams(resnet, 2);
    const k = slot(resnet, theta, 'stage3/block2/conv1/kernel');
    const target = Math.sqrt(2 / (3 * 3 * 64));
    assert.ok(Math.abs(stdOf(k) - target) < 0.02 * target, `std ${stdOf(k)} vs ${target}`);
    assert.ok(slot(resnet, theta, 'stage3/block2/bn1/gamma').every((v) => v === 1));
    assert.ok(slot(resnet, theta, 'stage3/block2/bn1/beta').every((v) => v === 0));
    const state = initState(resnet);
    assert.equal(state.length, resnet.stateDim);
    assert.deepEqual(Array.from(state.subarray(0, 32)), [...Array(16).fill(0), ...Array(16).fill(1)]);
  });

  test('{ normal: 0.01 } gives N(0, 0.01²) weights', () => {
    const m = buildModel({ name: 'mlp', widths: [200], init: { normal: 0.01 } }, [400], 10, 'classification');
    const w = slot(m, initParams(m, 3), 'dense1/kernel');
    assert.ok(Math.abs(stdOf(w) - 0.01) < 0.0003);
  });
});

describe('config validation', () => {
  const bad: [unknown, number[], number, 'classification' | 'regression', RegExp][] = [
    [{ name: 'resnet18' }, [32, 32, 3], 10, 'classification', /model\.name.*"resnet20"/],
    [{ name: 'mlp', width: [3] }, [4], 2, 'classification', /unknown field "width".*widths/],
    [{ name: 'mlp', activation: 'gelu' }, [4], 2, 'classification', /model\.activation.*"relu"\|"tanh"/],
    [{ name: 'mlp', init: 'xavier' }, [4], 2, 'classification', /model\.init.*he-normal/],
    [{ name: 'mlp', widths: [0] }, [4], 2, 'classification', /model\.widths\[0\]/],
    [{ name: 'lenet5' }, [784], 10, 'classification', /lenet5.*\[height, width, channels\]/],
    [{ name: 'lenet-asap' }, [8, 8, 1], 10, 'classification', /too small/],
    [{ name: 'resnet20' }, [30, 30, 3], 10, 'classification', /divisible by 4/],
    [{ name: 'logreg' }, [4], 3, 'regression', /numClasses must be 1/],
    [{ name: 'logreg' }, [4], 1, 'classification', /numClasses ≥ 2/],
  ];
  for (const [spec, shape, classes, task, message] of bad) {
    test(`rejects ${JSON.stringify(spec)} on [${shape}] ${task}`, () => {
      assert.throws(
        () => buildModel(spec as never, shape, classes, task),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
      );
    });
  }

  test('fills in documented defaults', () => {
    assert.deepEqual(parseModelSpec({ name: 'mlp' }), { name: 'mlp', widths: [256, 128], activation: 'relu', init: 'glorot-uniform' });
    assert.deepEqual(parseModelSpec({ name: 'resnet20' }), { name: 'resnet20', init: 'he-normal' });
  });
});

describe('batch norm', () => {
  test('train mode normalises with batch statistics and reports mean and unbiased variance', () => {
    tf.tidy(() => {
      const x = tf.tensor4d([1, 10, 2, 20, 3, 30, 6, 60], [2, 2, 1, 2]);
      const { y, stats } = batchNorm(x, tf.tensor1d([2, 1]), tf.tensor1d([0.5, 0]), 'train');
      assert.ok(stats);
      const [mean, variance] = stats.map((s) => Array.from(s.dataSync()));
      assert.deepEqual(mean, [3, 30]);
      // Channel 0: values 1, 2, 3, 6 → Σ(x − 3)² = 14, unbiased 14/3.
      assert.ok(Math.abs(variance[0] - 14 / 3) < 1e-5);
      assert.ok(Math.abs(variance[1] - 1400 / 3) < 1e-3);
      const out = y.dataSync();
      const biasedSd = Math.sqrt(14 / 4 + BN_EPSILON);
      assert.ok(Math.abs(out[0] - (2 * (1 - 3)) / biasedSd - 0.5) < 1e-5);
    });
  });

  test('eval mode uses the running statistics, not the batch', () => {
    tf.tidy(() => {
      const x = tf.tensor2d([[4], [8]]);
      const { y, stats } = batchNorm(x, tf.tensor1d([3]), tf.tensor1d([1]), 'eval', [tf.tensor1d([2]), tf.tensor1d([4])]);
      assert.equal(stats, undefined);
      const sd = Math.sqrt(4 + BN_EPSILON);
      const out = y.dataSync();
      assert.ok(Math.abs(out[0] - (1 + (3 * 2) / sd)) < 1e-5);
      assert.ok(Math.abs(out[1] - (1 + (3 * 6) / sd)) < 1e-5);
    });
  });

  test('foldRunningStats moves the state toward the batch by (1 − momentum)', () => {
    const state = Float32Array.from([0, 1]);
    foldRunningStats(state, Float32Array.from([10, 5]), 0.9);
    assert.ok(Math.abs(state[0] - 1) < 1e-6 && Math.abs(state[1] - 1.4) < 1e-6);
    assert.throws(() => foldRunningStats(state, new Float32Array(3), 0.9), /expected 2 statistics/);
  });
});

test('flatten inverts unflatten', () => {
  tf.tidy(() => {
    const flat = tf.range(0, 14, 1, 'float32') as tf.Tensor1D;
    const parts = unflatten(flat, [[2, 3], [4], [2, 2]]);
    assert.deepEqual(parts.map((p) => p.shape), [[2, 3], [4], [2, 2]]);
    assert.deepEqual(Array.from(flatten(parts).dataSync()), Array.from(flat.dataSync()));
  });
});

test('a bare model name is that model with its defaults; a bad one lists the names', () => {
  assert.deepEqual(parseModelSpec('mlp'), parseModelSpec({ name: 'mlp' }));
  assert.throws(() => parseModelSpec('mlp3'), (e: Error) => e instanceof ConfigError && /"mlp"/.test(e.message) && /"lenet5"/.test(e.message));
});
