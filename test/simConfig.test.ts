import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../src/config/validate.ts';
import { runExperiment, parseSimConfig } from '../src/sim/runExperiment.ts';
import { SIM_BACKENDS, type SimConfigInput } from '../src/sim/simConfig.ts';

const base = { rule: 'asgd', ruleParams: { lr: 0.1 }, workers: 4, steps: 10, objective: { name: 'quadratic', dim: 2 } } as const;

/** The ConfigError a config raises; fails if it raises none or something else. */
async function configError(input: unknown): Promise<string> {
  try {
    await parseSimConfig(input);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${(e as Error).name}: ${(e as Error).message}`);
    return e.message;
  }
  assert.fail(`no error for ${JSON.stringify(input)}`);
}

test('unknown fields are errors naming the field and the allowed ones, at every level', async () => {
  let m = await configError({ ...base, wokers: 3 });
  assert.match(m, /config: unknown field "wokers"; allowed fields: .*workers/);
  m = await configError({ ...base, ruleParams: { lr: 0.1, momentun: 0.9 } });
  assert.match(m, /config\.ruleParams: unknown field "momentun"; allowed fields: lr, momentum,/);
  m = await configError({ ...base, timing: { kind: 'gamma', sahpe: 2 } });
  assert.match(m, /config\.timing: unknown field "sahpe"; allowed fields: kind, shape, heterogeneity, range, means/);
  m = await configError({ ...base, objective: { name: 'quadratic', dim: 2, noise: 1 } });
  assert.match(m, /config\.objective: unknown field "noise"; allowed fields: .*noiseStd/);
  m = await configError({ ...base, lrSchedule: { kind: 'step', milestones: [1], gamma: 0.1 } });
  assert.match(m, /config\.lrSchedule: unknown field "gamma"; allowed fields: kind, milestones, factor/);
});

test('bad enum values list the allowed values', async () => {
  let m = await configError({ ...base, rule: 'dana' });
  assert.match(m, /config\.rule: .*ssgd, asgd, .*dana-zero, dana-slim, dana-dc, ga-dana/);
  m = await configError({ ...base, rule: { base: 'dana', penalties: ['ga'] } });
  assert.match(m, /config\.rule\.base: .*"sgd"\|"momentum"\|"nesterov"\|"multi-momentum"\|"dana-zero"\|"dana-slim"/);
  assert.match(m, /config\.rule\.penalties\[0\]: .*"staleness-aware"\|"gap-aware"\|"delay-compensation"/);
  m = await configError({ ...base, timing: { kind: 'poisson' } });
  assert.match(m, /config\.timing\.kind: .*'gamma' \| 'round-robin' \| 'schedule'/);
  m = await configError({ ...base, profile: 'fast' });
  assert.match(m, /config\.profile: .*"quick"\|"full"\|"smoke"\|"custom"/);
  m = await configError({ ...base, ruleParams: { lr: 0.1, weightDecayAt: 'server' } });
  assert.match(m, /config\.ruleParams\.weightDecayAt: .*"master"\|"worker"/);
  m = await configError({ ...base, divergeLoss: 'never' });
  assert.match(m, /config\.divergeLoss: expected "auto", "off" or a finite number/);
});

test('out-of-range values name the field and the bound', async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ruleParams: { lr: -1 } }, /config\.ruleParams\.lr: Too small: expected number to be >0/],
    [{ ruleParams: { lr: 0.1, momentum: 1 } }, /config\.ruleParams\.momentum: Too big: expected number to be <1/],
    [{ ruleParams: { lr: 0.1, gaBeta: 1.5 } }, /config\.ruleParams\.gaBeta: Too big/],
    [{ workers: 0 }, /config\.workers: Too small: expected number to be >=1/],
    [{ workers: 2.5 }, /config\.workers: .*int/i],
    [{ batchSize: 0 }, /config\.batchSize: Too small/],
    [{ timing: { kind: 'gamma', shape: -1 } }, /config\.timing\.shape: Too small/],
    [{ timing: { kind: 'schedule', order: [0, 5] } }, /config\.timing\.order\[1\]: worker 5 does not exist \(workers: 4/],
    [{ timing: { kind: 'gamma', heterogeneity: 'given', means: [1, 2] } }, /config\.timing\.means: expected one mean per worker \(4\), got 2/],
    [{ timing: { kind: 'gamma', range: [0.5, 2] } }, /config\.timing\.range: applies only to heterogeneity "uniform"/],
    [{ steps: undefined }, /config\.steps: give exactly one budget/],
    [{ epochs: 2 }, /config\.steps: give exactly one budget/],
    [{ lrSchedule: { kind: 'step', milestones: [5, 2] } }, /config\.lrSchedule\.milestones: milestones must be strictly increasing/],
    [{ divergeLoss: -3 }, /config\.divergeLoss: expected a positive bound/],
    [{ rule: 'ssgd', stepSize: { kind: 'tail-tau' } }, /config\.stepSize: a sync rule \(SSGD\) has no staleness/],
    [{ rule: { base: 'dana-zero', sync: true } }, /config\.rule\.base: sync \(SSGD\) rounds need one of sgd, momentum, nesterov/],
    [{ rule: { base: 'sgd', penalties: ['gap-aware', 'gap-aware'] } }, /config\.rule\.penalties\[1\]: "gap-aware" is listed twice/],
    [{ backend: 'wasm' }, /config\.backend: applies only to model \+ dataset runs/],
    [{ evalEvery: 0 }, /config\.evalEvery: Too small/],
  ];
  for (const [patch, re] of cases) assert.match(await configError({ ...base, ...patch }), re, JSON.stringify(patch));
});

test('model and dataset specs are validated by their owners, before anything loads', async () => {
  const noObjective = { ...base, objective: undefined };
  let m = await configError({ ...noObjective, model: { name: 'mlp', bogus: 1 }, dataset: { name: 'mnist', trainSize: 100 } });
  assert.match(m, /config\.model: unknown field "bogus"/);
  m = await configError({ ...noObjective, model: { name: 'mlp' }, dataset: { name: 'mnist', traniSize: 100 } });
  assert.match(m, /config\.dataset: unknown field "traniSize"/);
  m = await configError({ ...noObjective, model: { name: 'mlp' } });
  assert.match(m, /config\.dataset: model and dataset go together/);
  m = await configError({ ...noObjective, model: { name: 'mlp' }, dataset: { name: 'mnist' }, oracleOptions: { weightDecay: 0.1 } });
  assert.match(m, /config\.oracleOptions\.weightDecay: not allowed here; use ruleParams\.weightDecay/);
});

test('the backend list matches initBackend', async () => {
  const { BACKEND_CHOICES } = await import('../src/backend/initBackend.ts');
  assert.deepEqual([...SIM_BACKENDS], [...BACKEND_CHOICES]);
});

test('a huge lr diverges: status "diverged" at the step, rows up to it kept (NaN rows visible), no throw', async () => {
  const r = await runExperiment({ ...base, ruleParams: { lr: 50 }, steps: 1000, evalEvery: 1 });
  assert.equal(r.record.status, 'diverged');
  const at = r.record.divergedAtStep!;
  assert.ok(at > 1 && at < 50, `diverged at ${at}`);
  assert.equal(r.updates.numRows(), at);
  assert.equal(r.updates.array('step')[at - 1], at);
  assert.match(r.record.message!, /exceeds the divergence bound/);
  assert.equal(r.record.summary!.final_test_loss, null, 'no "final" figures for a diverged run');
  assert.equal(Math.max(...(r.evals.array('step') as number[])), at - 1, 'evaluations up to the step before');
  // With no bound, the same run goes on until θ is no longer finite, and that row is kept too.
  const off = await runExperiment({ ...base, ruleParams: { lr: 50 }, steps: 1000, divergeLoss: 'off' });
  assert.equal(off.record.status, 'diverged');
  assert.match(off.record.message!, /NaN or infinite|loss is (NaN|Infinity)/);
  const last = off.updates.objects().at(-1) as { step: number; loss: number };
  assert.equal(last.step, off.record.divergedAtStep);
  assert.ok(off.record.divergedAtStep! > at);
  // A fixed bound.
  const fixed = await runExperiment({ ...base, ruleParams: { lr: 50 }, steps: 1000, divergeLoss: 1e6 });
  assert.ok(fixed.record.divergedAtStep! > at && fixed.record.divergedAtStep! < off.record.divergedAtStep!);
});

test('abort: stops on control.signal with status "interrupted", rows kept; progress is reported', async () => {
  const controller = new AbortController();
  const seen: number[] = [];
  const r = await runExperiment(
    { ...base, objective: { name: 'quadratic', dim: 200 }, ruleParams: { lr: 0.01 }, steps: 10_000_000, logEvery: 1000 },
    {
      signal: controller.signal,
      progressIntervalSec: 0,
      onProgress: (p) => {
        seen.push(p.step);
        if (p.step >= 20_000) controller.abort();
      },
    },
  );
  assert.equal(r.record.status, 'interrupted');
  assert.equal(r.record.summary!.updates, 20_000);
  assert.equal(r.updates.array('step').at(-1), 20_000, 'the last applied update is logged');
  assert.equal(seen.at(-1), 20_000);
  assert.ok(seen.length >= 20_000, 'progress every update with interval 0');
  // A timer-driven abort must also get through: the loop yields to the event loop.
  const timed = new AbortController();
  setTimeout(() => timed.abort(), 150);
  const t0 = performance.now();
  const r2 = await runExperiment({ ...base, ruleParams: { lr: 0.01 }, steps: 100_000_000, logEvery: 10_000 }, { signal: timed.signal });
  assert.equal(r2.record.status, 'interrupted');
  assert.ok(performance.now() - t0 < 2000);
});

test('record: rule and parameters, versions, backend, summary; ignored parameters are listed', async () => {
  const r = await runExperiment({ ...base, rule: 'asgd', ruleParams: { lr: 0.1, momentum: 0.5, gaBeta: 0.99 }, profile: 'smoke', evalSplits: ['test', 'train'] });
  const rec = r.record;
  assert.equal(rec.engine, 'sim');
  assert.equal(rec.backend, 'js');
  assert.ok(rec.versions.node && rec.versions.stalelab === '0.1.0');
  assert.equal(rec.summary!.rule, 'asgd');
  assert.equal(rec.summary!.ignored_params, 'momentum,gaBeta');
  assert.deepEqual(JSON.parse(rec.summary!.rule_params as string), { lr: 0.1, weightDecay: 0 });
  assert.equal(rec.status, 'finished');
  assert.equal(typeof rec.summary!.final_test_loss, 'number');
  assert.deepEqual(r.evals.array('split'), ['test', 'train', 'test', 'train']);
  assert.ok((r.evals.array('profile') as string[]).every((p) => p === 'smoke'));
  assert.ok((r.updates.array('profile') as string[]).every((p) => p === 'smoke'));
  assert.deepEqual(r.updates.columnNames(), ['step', 'worker', 'staleness', 'gap_rmse', 'lr', 'penalty_mean', 'penalty_max', 'sim_time', 'loss', 'samples', 'epoch', 'profile']);
  assert.deepEqual(r.evals.columnNames(), ['step', 'epoch', 'samples', 'sim_time', 'split', 'loss', 'accuracy', 'profile']);
});

test('epochs budget, step-decay schedule by samples, and the staleness step size in the lr column', async () => {
  const cfg: SimConfigInput = {
    rule: 'asgd', ruleParams: { lr: 0.1 }, workers: 4, batchSize: 10, epochs: 3,
    objective: { name: 'quadratic', dim: 3, trainSize: 100 },
    lrSchedule: { kind: 'step', milestones: [1, 2], factor: 0.5 },
    timing: { kind: 'round-robin' },
  };
  const r = await runExperiment(cfg);
  assert.equal(r.updates.numRows(), 30, '3 epochs of 100 samples at B = 10: the same 30 updates for every N');
  const lr = r.updates.array('lr') as number[];
  assert.deepEqual(lr, [...new Array(10).fill(0.1), ...new Array(10).fill(0.05), ...new Array(10).fill(0.025)]);
  const ssgd = await runExperiment({ ...cfg, rule: 'ssgd' });
  assert.equal(ssgd.updates.numRows(), 8, 'SSGD rounds process N·B samples: ⌈300/40⌉ rounds');
  const sa = await runExperiment({ ...cfg, lrSchedule: undefined, stepSize: { kind: 'inverse', form: 'max-one-tau' } });
  const rows = sa.updates.objects() as { staleness: number; lr: number; penalty_mean: number }[];
  rows.forEach((row) => assert.equal(row.lr, 0.1 / Math.max(1, row.staleness)));
  assert.ok(rows.every((row) => row.penalty_mean === 1), 'the step size is not a penalty divisor');
  assert.match(sa.record.summary!.step_size as string, /"kind":"inverse"/);
});

test('weight decay at the master or at the worker', async () => {
  const run = (weightDecayAt: 'master' | 'worker') =>
    runExperiment({ ...base, timing: { kind: 'round-robin' }, ruleParams: { lr: 0.1, weightDecay: 0.5, weightDecayAt }, steps: 20, returnTrajectory: true });
  const master = await run('master');
  const worker = await run('worker');
  assert.notDeepEqual(master.trajectory, worker.trajectory);
  // Update 1: Δ = 0, so both use θ0 (= 0 in every coordinate for the built-in quadratic: wd adds nothing).
  assert.deepEqual(master.trajectory![0], worker.trajectory![0]);
});

test('logEvery keeps the first row, every k-th and the last; summaries use every update', async () => {
  const r = await runExperiment({ ...base, steps: 1005, logEvery: 100, timing: { kind: 'round-robin' } });
  assert.deepEqual(r.updates.array('step'), [1, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1005]);
  assert.equal(r.record.summary!.mean_staleness, (0 + 1 + 2 + 3 + 3 * 1001) / 1005);
});

test('returnTrajectory is refused for big problems', async () => {
  await assert.rejects(runExperiment({ ...base, objective: { name: 'quadratic', dim: 100_000 }, steps: 1000, returnTrajectory: true }), /config\.returnTrajectory: keeps steps × D/);
});
