import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRng } from '../../../src/rng/rng.ts';
import { EventHeap } from '../../../src/engines/sim/eventHeap.ts';
import { makeTiming, workerMeans } from '../../../src/engines/sim/makeTiming.ts';
import { runExperiment } from '../../../src/run/runExperiment.ts';
import type { SimConfigInput } from '../../../src/engines/sim/simConfig.ts';

const tiny = { name: 'quadratic', dim: 2 } as const;

test('§5.3 round-robin: after the first round every staleness is exactly N − 1', async () => {
  for (const workers of [1, 2, 5, 16]) {
    const r = await runExperiment({ rule: 'asgd', lr: 0.01, workers, timing: { kind: 'round-robin' }, steps: 20 * workers, objective: tiny });
    const tau = r.updates.array('staleness') as number[];
    assert.deepEqual(tau.slice(0, workers), Array.from({ length: workers }, (_, i) => i), 'first round: 0, 1, …, N−1');
    assert.ok(tau.slice(workers).every((t) => t === workers - 1), `N=${workers}: τ ≡ N−1`);
    assert.deepEqual(r.updates.array('worker').slice(0, 2 * workers), Array.from({ length: 2 * workers }, (_, k) => k % workers));
  }
});

test('§5.3 gamma timing: mean τ within 5% of N − 1 (N = 8, 20k updates), homogeneous and heterogeneous', async () => {
  for (const timing of [{ kind: 'gamma' }, { kind: 'gamma', heterogeneity: 'uniform' }, { kind: 'gamma', shape: 1 }] as const) {
    const r = await runExperiment({ rule: 'asgd', lr: 0.01, workers: 8, timing, steps: 20_000, objective: tiny, logEvery: 100 });
    const mean = r.record.summary!.staleness_mean as number;
    assert.ok(Math.abs(mean - 7) <= 0.05 * 7, `${JSON.stringify(timing)}: mean τ = ${mean}`);
    assert.equal(r.updates.numRows(), 201, 'logEvery 100: first row and every 100th');
  }
});

test('gamma job times have the configured mean and CV; heterogeneous means are seeded draws from the range', () => {
  const rng = makeRng(1);
  const t = makeTiming({ kind: 'gamma', shape: 4, meanTime: 1, heterogeneity: 'given', means: [1, 3] }, 2, rng);
  let last = [0, 0];
  const durations: number[][] = [[], []];
  for (let k = 0; k < 40_000; k++) {
    t.next();
    durations[t.worker].push(t.time - last[t.worker]);
    last[t.worker] = t.time;
  }
  durations.forEach((d, i) => {
    const mean = d.reduce((a, x) => a + x, 0) / d.length;
    const sd = Math.sqrt(d.reduce((a, x) => a + (x - mean) ** 2, 0) / d.length);
    assert.ok(Math.abs(mean - [1, 3][i]) < 0.02 * [1, 3][i], `worker ${i} mean ${mean}`);
    assert.ok(Math.abs(sd / mean - 0.5) < 0.02, `CV = 1/√4, got ${sd / mean}`);
  });
  assert.ok(durations[0].length > 2.9 * durations[1].length, 'the 3× slower worker delivers about a third as often');
  const means = workerMeans({ kind: 'gamma', shape: 4, meanTime: 1, heterogeneity: 'uniform', range: [0.5, 1.5] }, 1000, makeRng(2));
  assert.ok(means.every((m) => m >= 0.5 && m < 1.5));
  assert.ok(Math.abs(means.reduce((a, m) => a + m, 0) / 1000 - 1) < 0.05);
  assert.deepEqual(means, workerMeans({ kind: 'gamma', shape: 4, meanTime: 1, heterogeneity: 'uniform', range: [0.5, 1.5] }, 1000, makeRng(2)));
});

test("meanTime (the authors' scale B/100 at shape 100) changes the unit of simulated time, not the arrivals", async () => {
  const run = (meanTime: number) => runExperiment({ rule: 'asgd', lr: 0.01, workers: 8, timing: { kind: 'gamma', shape: 100, meanTime }, steps: 500, objective: tiny, seed: 3 });
  const [unit, authors] = await Promise.all([run(1), run(128)]);
  assert.deepEqual(authors.updates.array('worker'), unit.updates.array('worker'));
  assert.deepEqual(authors.updates.array('staleness'), unit.updates.array('staleness'));
  const t1 = unit.updates.array('sim_time') as number[];
  const t128 = authors.updates.array('sim_time') as number[];
  t1.forEach((t, i) => assert.ok(Math.abs(t128[i] - 128 * t) <= 1e-9 * t128[i], `update ${i}: ${t128[i]} vs 128 × ${t}`));
  // Shape 100: CV 0.1, so workers finish nearly in turn (PROTOCOL.md: sd of τ ≈ 1.1 at N = 8).
  const tau = (unit.updates.array('staleness') as number[]).slice(50);
  const mean = tau.reduce((a, b) => a + b, 0) / tau.length;
  const sd = Math.sqrt(tau.reduce((a, b) => a + (b - mean) ** 2, 0) / tau.length);
  assert.ok(Math.abs(mean - 7) < 0.2 && sd < 2, `mean τ ${mean}, sd ${sd}`);
});

test('SSGD rounds last as long as the slowest of N gamma draws', async () => {
  const run = (rule: 'ssgd' | 'asgd', workers: number) =>
    runExperiment({ rule, lr: 0.01, workers, steps: 2000, objective: tiny, seed: 4, logEvery: 2000 });
  const ssgd = await run('ssgd', 16);
  // E[max of 16 draws] = ∫ (1 − F(t)^16) dt with F the Gamma(shape 4, mean 1) CDF
  // F(t) = 1 − e^(−4t) Σ_{k<4} (4t)^k/k!, integrated numerically (the straggler cost; one job's mean is 1).
  const F = (t: number) => 1 - Math.exp(-4 * t) * (1 + 4 * t + (4 * t) ** 2 / 2 + (4 * t) ** 3 / 6);
  let expected = 0;
  for (let t = 0.0005; t < 20; t += 0.001) expected += (1 - F(t) ** 16) * 0.001;
  const perRound = (ssgd.record.summary!.sim_time as number) / 2000;
  assert.ok(Math.abs(perRound - expected) < 0.03 * expected, `round time ${perRound}, expected ${expected}`);
  const asgd = await run('asgd', 16);
  const perUpdate = (asgd.record.summary!.sim_time as number) / 2000;
  assert.ok(Math.abs(perUpdate - 1 / 16) < 0.005, `ASGD: N updates per unit time, got ${perUpdate} per update`);
});

test('explicit schedule: workers arrive in the listed order; staleness follows from it', async () => {
  const r = await runExperiment({ rule: 'asgd', lr: 0.01, workers: 3, timing: { kind: 'schedule', order: [2, 2, 0, 1, 0, 2] }, steps: 6, objective: tiny });
  assert.deepEqual(r.updates.array('worker'), [2, 2, 0, 1, 0, 2]);
  assert.deepEqual(r.updates.array('staleness'), [0, 0, 2, 3, 1, 3]);
  assert.deepEqual(r.updates.array('sim_time'), [1, 2, 3, 4, 5, 6]);
  const rep = await runExperiment({ rule: 'asgd', lr: 0.01, workers: 2, timing: { kind: 'schedule', order: [1, 0], repeat: true }, steps: 5, objective: tiny });
  assert.deepEqual(rep.updates.array('worker'), [1, 0, 1, 0, 1]);
});

test('event heap: earliest first, ties broken by worker id', () => {
  const h = new EventHeap(8);
  const events: [number, number][] = [[2, 5], [1, 3], [1, 1], [3, 0], [1, 2], [0.5, 7]];
  for (const [t, w] of events) h.push(t, w);
  const got: [number, number][] = [];
  while (h.size) {
    h.pop();
    got.push([h.lastTime, h.lastWorker]);
  }
  assert.deepEqual(got, [[0.5, 7], [1, 1], [1, 2], [1, 3], [2, 5], [3, 0]]);
});

test('§5.4 same seed ⇒ identical tables; different seeds ⇒ different schedules', async () => {
  const cfg = (seed: number): SimConfigInput => ({
    rule: 'ga-momentum', lr: 0.05, workers: 6, steps: 500, evalEvery: 100, seed,
    objective: { name: 'quadratic', dim: 10, noise: 0.5 },
  });
  const a = await runExperiment(cfg(1));
  const b = await runExperiment(cfg(1));
  const c = await runExperiment(cfg(2));
  assert.equal(a.updates.toCSV(), b.updates.toCSV());
  assert.equal(a.evals.toCSV(), b.evals.toCSV());
  assert.deepEqual(a.theta, b.theta);
  assert.notDeepEqual(a.updates.array('worker'), c.updates.array('worker'));
  assert.notDeepEqual(a.updates.array('sim_time'), c.updates.array('sim_time'));
  assert.notDeepEqual(a.updates.array('loss'), c.updates.array('loss'), 'and different gradient noise');
});
