import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as aq from 'arquero';
import { z } from 'zod';
import { ConfigError } from '../../src/config/validate.ts';
import { quadraticObjective } from '../../src/oracle/objectiveOracle.ts';
import { registerBase, registerTransform, transformNames } from '../../src/rules/registry.ts';
import { parseRuleSpec } from '../../src/rules/ruleSpec.ts';
import { runExperiment } from '../../src/run/runExperiment.ts';
import { sweep } from '../../src/sweep/sweep.ts';
import { writeTauPenaltyModule } from './tauPenaltyModule.ts';

const diag = [1, 0.5, 2, 0.25];
const oracle = () => quadraticObjective({ diag, b: [0.3, -0.2, 0.1, 0.4], theta0: [1, -1, 0.5, 2], noise: 0.1, seed: 2 });
const schedule = { kind: 'schedule', order: [0, 1, 0, 2, 1, 2, 0, 0, 2, 1, 1, 0], repeat: true } as const;

test('a registered transform that halves g gives exactly ASGD at η/2 (explicit schedule, noisy quadratic)', async () => {
  registerTransform({
    name: 'halve',
    description: 'g ← g/2',
    apply(_state, g) {
      for (let j = 0; j < g.length; j++) g[j] *= 0.5;
    },
  });
  const run = (rule: unknown, lr: number) =>
    runExperiment({ rule, lr, workers: 3, timing: schedule, steps: 60, batchSize: 2, returnTrajectory: true }, undefined, { oracle: oracle() });
  const halved = await run({ base: 'sgd', transforms: ['halve'] }, 0.2);
  const asgd = await run('asgd', 0.1);
  assert.equal(halved.trajectory!.length, 60);
  assert.deepEqual(halved.trajectory, asgd.trajectory);
  assert.equal(halved.record.summary.rule, 'sgd+halve');
  assert.deepEqual(halved.updates.array('staleness'), asgd.updates.array('staleness'));
  assert.ok((asgd.updates.array('staleness') as number[]).some((t) => t > 0), 'the schedule makes gradients stale');
});

/** Gap-Aware as a researcher would write it in a notebook cell: ALGORITHMS.md §2.1, with the library's arithmetic. */
const myGapAware = {
  name: 'my-gap-aware',
  params: { beta: 0.999, epsilon: 1e-8 },
  needsGap: true,
  stalenessOnly: true,
  init: (_p: unknown, env: { dim: number; alloc: { floats(n: number): Float32Array } }) => ({ s: env.alloc.floats(env.dim), k: 0, lrMax: 0 }),
  apply(
    st: { s: Float32Array; k: number; lrMax: number },
    g: Float32Array,
    ctx: { lr: number; gap: Float32Array | null; buffer: Float32Array | null },
    p: { beta: number; epsilon: number },
  ) {
    st.k += 1;
    st.lrMax = Math.max(st.lrMax, ctx.lr);
    const u = ctx.buffer ?? g;
    const correction = 1 / (1 - Math.pow(p.beta, st.k));
    let total = 0;
    let max = 1;
    for (let j = 0; j < g.length; j++) {
      const sj = (st.s[j] = p.beta * st.s[j] + (1 - p.beta) * u[j] * u[j]);
      const G = 1 + Math.abs(ctx.gap![j]) / (st.lrMax * (Math.sqrt(sj * correction) + p.epsilon));
      g[j] /= G;
      total += G;
      if (G > max) max = G;
    }
    return { divisorMean: total / g.length, divisorMax: max };
  },
};

test('a registered copy of gap-aware equals the built-in number by number, with momentum, and logs the same stats', async () => {
  registerTransform(myGapAware);
  for (const base of ['sgd', 'momentum', 'dana-zero']) {
    const run = (transform: string) =>
      runExperiment(
        { rule: { base, transforms: [{ name: 'weight-decay', weightDecay: 0.01 }, transform] }, lr: 0.05, workers: 4, timing: { kind: 'gamma', shape: 2 }, steps: 200, batchSize: 4, seed: 5, returnTrajectory: true },
        undefined,
        { oracle: oracle() },
      );
    const mine = await run('my-gap-aware');
    const builtin = await run('gap-aware');
    assert.deepEqual(mine.trajectory, builtin.trajectory, `${base}: θ after every update`);
    for (const col of ['penalty_mean', 'penalty_max', 'gap_rmse', 'loss']) {
      assert.deepEqual(mine.updates.array(col), builtin.updates.array(col), `${base}: ${col}`);
    }
    assert.ok((mine.updates.array('penalty_mean') as number[]).some((g) => g > 1), 'the penalty acted');
  }
});

test('a user definition is validated like a built-in: params, names, errors', async () => {
  registerTransform({ name: 'scaled', params: { factor: 0.5, on: true }, apply: (_s, g, _ctx, p: { factor: number; on: boolean }) => void (p.on && g.forEach((_, j) => (g[j] *= p.factor))) });
  assert.deepEqual(parseRuleSpec({ base: 'sgd', transforms: ['scaled'] }).transforms[0].params, { factor: 0.5, on: true }, 'defaults filled in');
  assert.throws(() => parseRuleSpec({ base: 'sgd', transforms: [{ name: 'scaled', factr: 2 }] }), /rule\.transforms\[0\]: unknown field "factr"; allowed fields: factor, on/);
  assert.throws(() => parseRuleSpec({ base: 'sgd', transforms: [{ name: 'scaled', factor: 'big' }] }), /rule\.transforms\[0\]\.factor: .*expected number/);
  assert.ok(transformNames().includes('scaled'));
  assert.throws(() => parseRuleSpec({ base: 'sgd', transforms: ['scaledd'] }), /got "scaledd"; allowed transforms: .*"scaled"/);
  // A zod schema for anything richer than defaults.
  registerTransform({ name: 'clip', params: z.object({ max: z.number().positive() }).strict(), apply: (_s, g, _c, p: { max: number }) => void g.forEach((v, j) => (g[j] = Math.max(-p.max, Math.min(p.max, v)))) });
  assert.throws(() => parseRuleSpec({ base: 'sgd', transforms: ['clip'] }), /rule\.transforms\[0\]\.max: required/);
  // Definitions that cannot work are refused at registration, naming the field.
  assert.throws(() => registerTransform({ name: 'Bad Name', apply: () => {} }), (e: Error) => e instanceof ConfigError && /registerTransform\.name: expected a kebab-case name/.test(e.message));
  assert.throws(() => registerTransform({ name: 'no-apply' } as never), /registerTransform\("no-apply"\)\.apply: required, a function/);
  assert.throws(() => registerTransform({ name: 'gap-aware', apply: () => {} }), /"gap-aware" is a built-in transform; choose another name/);
  assert.throws(() => registerTransform({ name: 'x', params: { when: [1] } as never, apply: () => {} }), /params\.when: a default must be a number, boolean or string/);
  // Registering a name again replaces the earlier user definition (a notebook cell run twice).
  registerTransform({ name: 'scaled', params: { factor: 2 }, apply: () => {} });
  assert.deepEqual(parseRuleSpec({ base: 'sgd', transforms: ['scaled'] }).transforms[0].params, { factor: 2 });
});

test('a user base step: sign-SGD sends θ and steps θ ← θ − η·sign(g)', async () => {
  registerBase({
    name: 'sign-sgd',
    description: 'θ ← θ − η sign(g)',
    init: (theta0, _p, env) => {
      const theta = env.alloc.floats(env.dim);
      theta.set(theta0);
      return { theta };
    },
    step(s: { theta: Float32Array }, _i, g, lr) {
      let sum = 0;
      for (let j = 0; j < g.length; j++) sum += s.theta[j] -= lr * Math.sign(g[j]);
      return sum;
    },
  });
  const r = await runExperiment({ rule: { base: 'sign-sgd' }, lr: 0.01, workers: 1, steps: 3, batchSize: 1, returnTrajectory: true }, undefined, { oracle: quadraticObjective({ diag: [1, 1], theta0: [1, -1] }) });
  assert.deepEqual(r.trajectory!.map((t) => Array.from(t)), [[0.99, -0.99], [0.98, -0.98], [0.97, -0.97]].map((t) => t.map(Math.fround)));
  assert.throws(() => parseRuleSpec({ base: 'sign-sgd', sync: true }), /sync \(SSGD\) rounds need one of/);
  assert.throws(() => registerBase({ name: 'half', init: () => ({}), step: () => 0, master: () => new Float32Array(1) }), /give all of master, send and gap, or none/);
});

test('a definition from a module path works in a sweep next to the built-ins, and its module is recorded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stalelab-rule-'));
  try {
    const path = writeTauPenaltyModule(dir, 'tau-power');
    const result = await sweep({
      base: { objective: { name: 'quadratic', dim: 20, noise: 0.1 }, lr: 0.1, workers: 4, steps: 100, timing: 'round-robin' },
      vary: { rule: ['asgd', 'sa', { base: 'sgd', transforms: [{ module: path, export: 'tauPenalty', power: 1 }] }] },
    });
    assert.deepEqual(result.runs.array('status'), ['finished', 'finished', 'finished']);
    const own = result.records[2];
    assert.equal(own.summary.rule, 'sgd+tau-power');
    const spec = (own.config.rule as { transforms: { module?: { module: string; export: string } }[] }).transforms[0];
    assert.deepEqual(spec.module, { module: path, export: 'tauPenalty' });
    // With power 1 and τ ≡ 3 after the first round, the divisor is 1 + τ = 4 (SA's is max(1, τ) = 3).
    const id = result.runs.array('run_id')[2];
    const pen = result.updates.filter(aq.escape((d: { run_id: string; step: number }) => d.run_id === id && d.step > 4)).array('penalty_mean') as number[];
    assert.equal(pen.length, 96);
    assert.ok(pen.every((p) => p === 4));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
