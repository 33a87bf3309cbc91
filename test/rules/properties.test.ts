import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quadraticObjective } from '../../src/oracle/objectiveOracle.ts';
import { makeRng } from '../../src/rng/rng.ts';
import { makeRule } from '../../src/rules/makeRule.ts';
import { RULE_NAMES } from '../../src/rules/namedRules.ts';
import { parseRuleSpec, type RuleSpecInput } from '../../src/rules/ruleSpec.ts';
import { runExperiment } from '../../src/run/runExperiment.ts';
import type { SimConfigInput } from '../../src/engines/sim/simConfig.ts';

const D = 20;
const diag = Array.from({ length: D }, (_, j) => 0.2 + (1.8 * j) / (D - 1));
const b = Array.from({ length: D }, (_, j) => Math.sin(j));
const oracle = (noise = 0.3) => quadraticObjective({ diag, b, theta0: 1, noise, seed: 5 });

/**
 * ‖a − e‖∞ / ‖e‖∞: "relative" is taken over the vector, since a coordinate crossing zero has no
 * meaningful relative error in float32 (its round-off is set by the vector's scale, not its own).
 */
function maxRelDiff(a: ArrayLike<number>, e: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let j = 0; j < e.length; j++) {
    diff = Math.max(diff, Math.abs(a[j] - e[j]));
    scale = Math.max(scale, Math.abs(e[j]));
  }
  return diff / scale;
}

/** Drive a rule through a random arrival order by hand, returning every vector it sends. */
function sends(spec: RuleSpecInput, workers: number, order: number[], lr: number): Float32Array[] {
  const theta0 = new Float32Array(D).fill(1);
  const rule = makeRule(parseRuleSpec(spec), theta0, workers);
  const x = Array.from({ length: workers }, () => new Float32Array(D));
  const sentAt = new Array<number>(workers).fill(0);
  const out: Float32Array[] = [];
  for (let i = 0; i < workers; i++) rule.send(i, lr, x[i]);
  order.forEach((i, k) => {
    // A fixed gradient oracle: Ax − b plus noise fixed by the update index.
    const noise = makeRng(1000 + k);
    const g = Float32Array.from(x[i], (xj, j) => diag[j] * xj - b[j] + 0.1 * noise.normal());
    rule.receive(i, x[i], g, { tau: k - sentAt[i], lr });
    rule.send(i, lr, x[i]);
    sentAt[i] = k + 1;
    out.push(x[i].slice());
  });
  return out;
}

test('§5.1 DANA-Zero and DANA-Slim send identical parameters (random order, constant η, ≤ 1e-5 relative)', () => {
  const rng = makeRng(11);
  const order = Array.from({ length: 3000 }, () => rng.int(8));
  const zero = sends('dana-zero', 8, order, 0.05);
  const slim = sends('dana-slim', 8, order, 0.05);
  let worst = 0;
  zero.forEach((z, k) => (worst = Math.max(worst, maxRelDiff(slim[k], z))));
  assert.ok(worst <= 1e-5, `max relative difference ${worst}`);
  // and they do move: the last send is far from θ0
  assert.ok(maxRelDiff(zero[zero.length - 1], new Float32Array(D).fill(1)) > 0.1);
});

test('§5.1 through the engine: gamma timing, DANA-Zero look-ahead evaluations equal DANA-Slim Θ', async () => {
  const cfg = (rule: 'dana-zero' | 'dana-slim', evalAt: 'master' | 'look-ahead'): SimConfigInput => ({
    rule, lr: 0.05, workers: 8, steps: 2000, batchSize: 4, evalEvery: 100, evalAt, seed: 3,
  });
  const zero = await runExperiment(cfg('dana-zero', 'look-ahead'), undefined, { oracle: oracle() });
  const slim = await runExperiment(cfg('dana-slim', 'master'), undefined, { oracle: oracle() });
  assert.deepEqual(zero.updates.array('worker'), slim.updates.array('worker'), 'same schedule');
  const zl = zero.evals.array('loss') as number[];
  const sl = slim.evals.array('loss') as number[];
  assert.equal(zl.length, 21);
  zl.forEach((l, k) => assert.ok(Math.abs(l - sl[k]) <= 1e-5 * Math.abs(sl[k]) + 1e-7, `eval ${k}: ${l} vs ${sl[k]}`));
  // Zero's master θ is not its look-ahead: evaluating the master gives different numbers.
  const zm = await runExperiment(cfg('dana-zero', 'master'), undefined, { oracle: oracle() });
  assert.notDeepEqual(zm.evals.array('loss'), zl);
  // evalAt 'both' (the authors' preset) logs the two side by side and keeps the master for the summary.
  const both = await runExperiment({ ...cfg('dana-zero', 'master'), evalAt: 'both' }, undefined, { oracle: oracle() });
  const rows = both.evals.objects() as { params: string; loss: number }[];
  assert.deepEqual(rows.filter((r) => r.params === 'master').map((r) => r.loss), zm.evals.array('loss'));
  assert.deepEqual(rows.filter((r) => r.params === 'look-ahead').map((r) => r.loss), zl);
  assert.deepEqual([...new Set(zm.evals.array('params'))], ['master']);
  assert.equal(both.record.summary.final_test_loss, zm.record.summary.final_test_loss);
  assert.equal(both.record.summary.final_look_ahead_test_loss, zl[zl.length - 1]);
});

test('evalAt both: where the look-ahead is θ itself (every base but DANA-Zero), its rows repeat the master evaluation without computing it again', async () => {
  const counted = () => {
    const o = oracle();
    let calls = 0;
    const evaluate = o.evaluate.bind(o);
    return { oracle: Object.assign(o, { evaluate: (theta: Float32Array, split: 'train' | 'test') => (calls++, evaluate(theta, split)) }), calls: () => calls };
  };
  const cfg = (rule: string, evalAt: 'master' | 'both'): SimConfigInput => ({ rule, lr: 0.05, workers: 8, steps: 300, batchSize: 4, evalEvery: 100, evalAt, seed: 3 });
  for (const rule of ['asgd', 'ga-momentum', 'dana-slim']) {
    const master = counted();
    const m = await runExperiment(cfg(rule, 'master'), undefined, { oracle: master.oracle });
    const both = counted();
    const b = await runExperiment(cfg(rule, 'both'), undefined, { oracle: both.oracle });
    const rows = b.evals.objects() as { params: string; loss: number; step: number }[];
    const ahead = rows.filter((r) => r.params === 'look-ahead');
    assert.deepEqual(ahead.map((r) => [r.step, r.loss]), rows.filter((r) => r.params === 'master').map((r) => [r.step, r.loss]), `${rule}: same rows`);
    assert.deepEqual(rows.filter((r) => r.params === 'master').map((r) => r.loss), m.evals.array('loss'));
    assert.equal(both.calls(), master.calls(), `${rule}: no evaluation computed twice`);
  }
  // DANA-Zero's look-ahead differs from θ once it has momentum: both points are evaluated, except
  // at step 0, where S = 0 makes the look-ahead θ.
  const z = counted();
  await runExperiment(cfg('dana-zero', 'master'), undefined, { oracle: z.oracle });
  const zb = counted();
  const zr = await runExperiment(cfg('dana-zero', 'both'), undefined, { oracle: zb.oracle });
  const atStart = (zr.evals.objects() as { step: number; params: string }[]).filter((r) => r.step === 0 && r.params === 'master').length;
  assert.ok(atStart > 0);
  assert.equal(zb.calls(), 2 * z.calls() - atStart);
});

test('§5.2 DANA-Zero with N = 1 sends what Nesterov SGD holds (≤ 1e-5 relative)', async () => {
  const cfg = (rule: 'dana-zero' | 'nag-asgd', evalAt: 'master' | 'look-ahead'): SimConfigInput => ({
    rule, lr: 0.05, workers: 1, steps: 500, batchSize: 1, evalEvery: 25, evalAt, returnTrajectory: true,
  });
  const dana = await runExperiment(cfg('dana-zero', 'look-ahead'), undefined, { oracle: oracle() });
  const nag = await runExperiment(cfg('nag-asgd', 'master'), undefined, { oracle: oracle() });
  const dl = dana.evals.array('loss') as number[];
  const nl = nag.evals.array('loss') as number[];
  dl.forEach((l, k) => assert.ok(Math.abs(l - nl[k]) <= 1e-5 * Math.abs(nl[k]), `eval ${k}: ${l} vs ${nl[k]}`));
  // By hand with the rule API: DANA-Zero's k-th send equals NAG's θ after k updates.
  const order = new Array(300).fill(0);
  const danaSends = sends('dana-zero', 1, order, 0.05);
  const nagSends = sends('nag-asgd', 1, order, 0.05);
  danaSends.forEach((s, k) => assert.ok(maxRelDiff(s, nagSends[k]) <= 1e-5, `send ${k}: ${maxRelDiff(s, nagSends[k])}`));
});

test('§5.2 GA with N = 1 (Δ ≡ 0) equals its base rule exactly, for every base', async () => {
  const pairs: [RuleSpecInput, RuleSpecInput][] = [
    ['ga', 'asgd'],
    ['ga-momentum', 'momentum-asgd'],
    ['ga-dana', 'dana-zero'],
    [{ base: { name: 'momentum', nesterov: true }, transforms: ['gap-aware'] }, 'nag-asgd'],
    [{ base: 'dana-slim', transforms: ['gap-aware'] }, 'dana-slim'],
  ];
  for (const [withGa, base] of pairs) {
    const withDecay = (r: RuleSpecInput): RuleSpecInput =>
      typeof r === 'string' ? { name: r, weightDecay: 1e-3 } : { ...(r as { base: unknown; transforms: unknown[] }), transforms: [{ name: 'weight-decay', weightDecay: 1e-3 }, ...(r as { transforms: unknown[] }).transforms] };
    const run = (rule: RuleSpecInput) =>
      runExperiment({ rule: withDecay(rule), lr: 0.05, workers: 1, steps: 300, batchSize: 2, returnTrajectory: true }, undefined, { oracle: oracle() });
    const a = await run(withGa);
    const e = await run(base);
    assert.deepEqual(a.trajectory, e.trajectory, `${JSON.stringify(withGa)} vs ${base}`);
    assert.ok((a.updates.array('penalty_max') as number[]).every((g) => g === 1), 'G ≡ 1');
  }
});

test('§5.2 SA with τ ≤ 1 equals ASGD; DC-ASGD with λ = 0 (constant or adaptive λ₀ = 0) equals ASGD — exactly', async () => {
  const run = (rule: 'sa' | 'asgd' | 'dc-asgd', workers: number, params: Record<string, unknown> = {}) =>
    runExperiment(
      { rule: { name: rule, ...params }, lr: 0.05, workers, timing: { kind: 'round-robin' }, steps: 400, batchSize: 2, returnTrajectory: true },
      undefined,
      { oracle: oracle() },
    );
  const sa = await run('sa', 2);
  assert.ok((sa.updates.array('staleness') as number[]).every((t) => t <= 1));
  assert.deepEqual(sa.trajectory, (await run('asgd', 2)).trajectory);
  const asgd4 = await run('asgd', 4);
  assert.deepEqual((await run('dc-asgd', 4, { lambda: 0 })).trajectory, asgd4.trajectory);
  assert.deepEqual((await run('dc-asgd', 4, { adaptive: true, lambda0: 0 })).trajectory, asgd4.trajectory);
  // …and with τ = 3 and λ > 0 they do differ (the tests above could fail).
  assert.notDeepEqual((await run('sa', 4)).trajectory, asgd4.trajectory);
  assert.notDeepEqual((await run('dc-asgd', 4)).trajectory, asgd4.trajectory);
});

test('every named rule builds, keeps state as plain typed arrays, with its parts\' own parameters', () => {
  const theta0 = new Float32Array(D).fill(1);
  for (const name of RULE_NAMES) {
    const rule = makeRule(parseRuleSpec(name), theta0, 4);
    assert.equal(rule.name, name);
    assert.ok(rule.master() instanceof Float32Array && rule.master().length === D);
    // Per-worker buffers belong to the bases that keep one momentum (or look-ahead) per worker.
    const perWorker = ['multi-momentum', 'dana-zero', 'dana-slim'].includes(parseRuleSpec(name).base.name);
    const v = (rule.state.base as { v?: unknown }).v;
    assert.equal(Array.isArray(v), perWorker, `${name}: per-worker buffers only where needed`);
    assert.equal(rule.master(), (rule.state.base as { theta: Float32Array }).theta, 'master() is the state vector');
  }
  assert.equal(parseRuleSpec('dana-dc').transforms[0].params.adaptive, true, 'dana-dc defaults to adaptive λ');
  assert.equal(parseRuleSpec('dc-asgd').transforms[0].params.adaptive, false);
  assert.equal(parseRuleSpec('nag-asgd').base.params.nesterov, true);
  assert.equal(parseRuleSpec({ base: { name: 'momentum', nesterov: true }, transforms: ['gap-aware', 'staleness-aware'] }).name, 'momentum(nesterov)+gap-aware+staleness-aware');
});

test('the fused step-and-gap passes equal a separate gap and step, overflow included', async () => {
  const { registeredBase } = await import('../../src/rules/registry.ts');
  const { gapToTheta } = await import('../../src/rules/bases/thetaOps.ts');
  const { plainAllocator } = await import('../../src/rules/makeRule.ts');
  const rng = makeRng(3);
  for (const [name, params] of [['sgd', {}], ['momentum', { momentum: 0.9, nesterov: false }], ['momentum', { momentum: 0.9, nesterov: true }]] as const) {
    const base = registeredBase(name)!.def as import('../../src/rules/ruleTypes.ts').BaseDef<object, { theta: Float32Array; v?: Float32Array }>;
    for (const n of [1, 2, 7, 1001]) {
      const env = { dim: n, workers: 1, alloc: plainAllocator };
      const theta0 = Float32Array.from({ length: n }, () => rng.normal());
      const x = Float32Array.from({ length: n }, () => rng.normal());
      const a = base.init(theta0, params, env);
      const b = base.init(theta0, params, env);
      // Two steps, so that momentum's v is non-zero in the second.
      for (let k = 0; k < 2; k++) {
        const g = Float32Array.from({ length: n }, () => rng.normal());
        const expectedGap = gapToTheta(a.theta, x, null);
        const out = { gapSq: NaN };
        const sumFused = base.stepWithGap!(a, 0, g, 0.1, x, out);
        const sumPlain = base.step(b, 0, g, 0.1);
        assert.deepEqual(a, b, `${name} n=${n}: same state`);
        assert.ok(Math.abs(out.gapSq - expectedGap) <= 1e-12 * Math.max(1, expectedGap), `${name} n=${n}: gap ${out.gapSq} vs ${expectedGap}`);
        assert.ok(Math.abs(sumFused - sumPlain) <= 1e-9 * Math.max(1, Math.abs(sumPlain)));
      }
    }
    // θ at the float32 limit: the stored value overflows to Inf, so both checksums must be non-finite.
    for (const stepper of ['step', 'stepWithGap'] as const) {
      const s = base.init(new Float32Array(5).fill(3e38), params, { dim: 5, workers: 1, alloc: plainAllocator });
      const g = new Float32Array(5).fill(-1e38);
      const sum = stepper === 'step' ? base.step(s, 0, g, 1) : base.stepWithGap!(s, 0, g, 1, new Float32Array(5), { gapSq: 0 });
      assert.ok(!Number.isFinite(sum), `${name} ${stepper}: checksum of an overflowed θ is ${sum}`);
    }
  }
});

test('ASGD logs the same gap with and without a penalty in the rule (fused and separate passes)', async () => {
  // SA does not read Δ, DC-ASGD does: with dcLambda 0 it changes nothing, but forces the separate pass.
  const base: SimConfigInput = { rule: 'asgd', lr: 0.1, workers: 4, steps: 40, batchSize: 1, seed: 2, timing: { kind: 'gamma', shape: 2 } };
  const fused = await runExperiment(base, undefined, { oracle: oracle() });
  const separate = await runExperiment({ ...base, rule: { base: 'sgd', transforms: [{ name: 'delay-compensation', lambda: 0 }] } }, undefined, { oracle: oracle() });
  const a = fused.updates.array('gap_rmse') as number[];
  const b = separate.updates.array('gap_rmse') as number[];
  assert.ok(a.some((v) => v > 0));
  a.forEach((v, k) => assert.ok(Math.abs(v - b[k]) <= 1e-9 * Math.max(1, b[k]), `update ${k + 1}: ${v} vs ${b[k]}`));
});
