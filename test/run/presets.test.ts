import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunConfig } from '../../src/run/parseRunConfig.ts';
import { runExperiment } from '../../src/run/runExperiment.ts';
import type { SimConfig } from '../../src/engines/sim/simConfig.ts';

const base = { objective: 'quadratic', lr: 0.1, steps: 1000, batchSize: 64, workers: 8 };

test("preset 'authors' fills the authors' protocol in under the config's own fields", async () => {
  const c = (await parseRunConfig({ ...base, preset: 'authors', rule: 'dana-dc' })) as SimConfig;
  assert.deepEqual(c.timing, { kind: 'gamma', shape: 100, meanTime: 64, heterogeneity: 'homogeneous' }, 'scale B/100 at shape 100');
  assert.equal(c.lrSchedule.kind, 'step');
  assert.deepEqual(c.lrSchedule.kind === 'step' && c.lrSchedule.milestoneFractions, [0.5, 0.75]);
  assert.equal(c.lrSchedule.warmupStartFactor, 'inverse-workers');
  assert.equal(c.lrSchedule.warmupFraction, 5 / 160);
  assert.equal(c.lrSchedule.warmupMinUpdates, 200);
  assert.equal(c.evalAt, 'both');
  assert.equal(c.preset, 'authors');
  assert.equal(c.rule.name, 'dana-dc-authors', "the code's DANA-DC under the authors' preset");
  assert.deepEqual(c.rule.transforms.map((t) => [t.name, t.params.lambda, t.params.adaptive, t.params.against]), [['delay-compensation', 2, false, 'master']]);
  // Every field stays the config's to set: a contrast with gamma shape 4, the project's DANA-DC, master-only evaluation.
  const own = (await parseRunConfig({ ...base, preset: 'authors', rule: { base: 'dana-zero', transforms: [{ name: 'delay-compensation', adaptive: true }] }, timing: { kind: 'gamma', shape: 4 }, evalAt: 'master', lrSchedule: { kind: 'step', warmupStartFactor: 0.1 } })) as SimConfig;
  assert.deepEqual([own.timing.kind, own.timing.kind === 'gamma' && own.timing.shape, own.timing.kind === 'gamma' && own.timing.meanTime], ['gamma', 4, 64]);
  assert.equal(own.evalAt, 'master');
  assert.equal(own.lrSchedule.warmupStartFactor, 0.1);
  assert.equal(own.lrSchedule.warmupFraction, 5 / 160, 'the rest of the schedule is still the preset\'s');
  assert.equal(own.rule.transforms[0].params.adaptive, true);
  const rr = (await parseRunConfig({ ...base, preset: 'authors', timing: 'round-robin', lrSchedule: 'constant' })) as SimConfig;
  assert.deepEqual([rr.timing.kind, rr.lrSchedule.kind], ['round-robin', 'constant']);
  const plain = (await parseRunConfig({ ...base, rule: 'dana-dc' })) as SimConfig;
  assert.equal(plain.rule.name, 'dana-dc', 'without the preset, dana-dc is the project\'s adaptive variant');
  assert.equal(plain.preset, undefined);
});

test('a bad preset names the field and the allowed values; the preset is the simulator\'s', async () => {
  await assert.rejects(parseRunConfig({ ...base, preset: 'paper' }), /config\.preset: got "paper"; allowed values: authors/);
  await assert.rejects(parseRunConfig({ ...base, preset: 'authors', engine: 'threads' }), /config\.preset: only for engine "sim"/);
  await assert.rejects(parseRunConfig({ ...base, steps: undefined, epochs: undefined, preset: 'authors' }), /give exactly one budget/);
});

test("an 'authors' run: lr/N warm-up over 200 updates, ×0.1 at 1/2 and 3/4, both evaluation points, preset in the summary", async () => {
  const r = await runExperiment({ ...base, steps: 400, preset: 'authors', rule: 'dana-zero', evalEvery: 100, lr: 0.05 });
  const lr = r.updates.array('lr') as number[];
  assert.equal(lr[0], 0.05 / 8);
  assert.ok(lr[100] > lr[0] && lr[199] < 0.05 && Math.abs(lr[199] - 0.05) < 0.05 / 100);
  assert.ok(Math.abs(lr[200] - 0.005) < 1e-12 && Math.abs(lr[300] - 0.0005) < 1e-12);
  const params = r.evals.array('params') as string[];
  assert.equal(params.filter((p) => p === 'master').length, 5);
  assert.equal(params.filter((p) => p === 'look-ahead').length, 5);
  assert.equal(r.record.summary.preset, 'authors');
  assert.equal(typeof r.record.summary.final_look_ahead_test_loss, 'number');
  const tau = (r.updates.array('staleness') as number[]).slice(20);
  const mean = tau.reduce((a, b) => a + b, 0) / tau.length;
  const sd = Math.sqrt(tau.reduce((a, b) => a + (b - mean) ** 2, 0) / tau.length);
  assert.ok(sd < 2, `shape 100: workers finish nearly in turn (sd of τ ${sd}; PROTOCOL.md: ≈ 1.1 at N = 8)`);
});
