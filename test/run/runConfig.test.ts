import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/validate.ts';
import { runExperiment } from '../../src/run/runExperiment.ts';
import { parseRunConfig } from '../../src/run/parseRunConfig.ts';
import { UPDATE_COLUMNS } from '../../src/run/updateLog.ts';
import { EVAL_COLUMNS } from '../../src/run/evalLog.ts';
import { stalelabVersion } from '../../src/run/provenance.ts';
import { PROFILES } from '../../src/run/profiles.ts';
import { RULE_NAMES } from '../../src/rules/namedRules.ts';
import { baseNames, transformNames } from '../../src/rules/registry.ts';
import type { SimConfigInput } from '../../src/engines/sim/simConfig.ts';

const base = { rule: 'asgd', lr: 0.1, workers: 4, steps: 10, objective: { name: 'quadratic', dim: 2 } } as const;

/** The ConfigError a config raises; fails if it raises none or something else. */
async function configError(input: unknown): Promise<string> {
  try {
    await parseRunConfig(input);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${(e as Error).name}: ${(e as Error).message}`);
    return e.message;
  }
  assert.fail(`no error for ${JSON.stringify(input)}`);
}

test('unknown fields are errors naming the field and the allowed ones, at every level', async () => {
  let m = await configError({ ...base, wokers: 3 });
  assert.match(m, /config: unknown field "wokers"; allowed fields: .*workers/);
  m = await configError({ ...base, rule: { name: 'momentum-asgd', momentun: 0.9 } });
  assert.match(m, /config\.rule\.momentun: "momentum-asgd" has no parameter "momentun"; it takes "momentum", "nesterov", "weightDecay", "weightDecayAt"/);
  m = await configError({ ...base, rule: { base: { name: 'momentum', momentun: 0.9 } } });
  assert.match(m, /config\.rule\.base: unknown field "momentun"; allowed fields: momentum, nesterov/);
  m = await configError({ ...base, timing: { kind: 'gamma', sahpe: 2 } });
  assert.match(m, /config\.timing: unknown field "sahpe"; allowed fields: kind, shape, meanTime, heterogeneity, range, means/);
  m = await configError({ ...base, objective: { name: 'quadratic', dim: 2, noiseStd: 1 } });
  assert.match(m, /config\.objective: unknown field "noiseStd"; allowed fields: .*noise/);
  m = await configError({ ...base, lrSchedule: { kind: 'step', milestones: [1], gamma: 0.1 } });
  assert.match(m, /config\.lrSchedule: unknown field "gamma"; allowed fields: kind, milestones, milestoneFractions, factor, warmupEpochs, warmupFraction, warmupMinUpdates, warmupStartFactor/);
});

test('fields of earlier versions and of other engines are refused with where they belong now', async () => {
  let m = await configError({ ...base, ruleParams: { lr: 0.1 } });
  assert.match(m, /config\.ruleParams: removed in stalelab 0\.2: lr goes at the top/);
  m = await configError({ ...base, stepSize: { kind: 'tail-tau' } });
  assert.match(m, /config\.stepSize: removed in stalelab 0\.2: a staleness step size α\(τ\) is a transform of the rule/);
  m = await configError({ ...base, sync: 'lock', seconds: 3 });
  assert.match(m, /config\.sync: only for engine "threads" \(this run uses engine "sim"\)/);
  assert.match(m, /config\.seconds: only for engine "threads"/);
  m = await configError({ ...base, engine: 'cluster' });
  assert.match(m, /config\.engine: got "cluster"; allowed values: sim, threads/);
});

test('bad names list the allowed ones, from the registries', async () => {
  let m = await configError({ ...base, rule: 'dana' });
  assert.match(m, new RegExp(`config\\.rule: got "dana"; allowed rule names: ${RULE_NAMES.map((n) => `"${n}"`).join(', ')}`));
  m = await configError({ ...base, rule: { base: 'dana', transforms: ['ga'] } });
  assert.match(m, new RegExp(`config\\.rule\\.base: got "dana"; allowed bases: ${baseNames().map((n) => `"${n}"`).join(', ')}`));
  assert.match(m, new RegExp(`config\\.rule\\.transforms\\[0\\]: got "ga"; allowed transforms: ${transformNames().map((n) => `"${n}"`).join(', ')}`));
  m = await configError({ ...base, timing: { kind: 'poisson' } });
  assert.match(m, /config\.timing\.kind: got "poisson"; allowed values: "gamma", "round-robin", "schedule"/);
  m = await configError({ ...base, profile: 'fast' });
  assert.match(m, new RegExp(`config\\.profile: .*${PROFILES.map((p) => `"${p}"`).join('\\|')}`));
  m = await configError({ ...base, rule: { name: 'asgd', weightDecay: 0.1, weightDecayAt: 'server' } });
  assert.match(m, /config\.rule\.transforms\[0\]\.weightDecayAt: .*"master"\|"worker"/);
  m = await configError({ ...base, divergeLoss: 'never' });
  assert.match(m, /config\.divergeLoss: expected "auto", "off" or a finite number/);
});

test('out-of-range values name the field and the bound', async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ lr: -1 }, /config\.lr: Too small: expected number to be >0/],
    [{ rule: { name: 'momentum-asgd', momentum: 1 } }, /config\.rule\.base\.momentum: Too big: expected number to be <1/],
    [{ rule: { name: 'ga', beta: 1.5 } }, /config\.rule\.transforms\[0\]\.beta: Too big/],
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
    [{ rule: { base: 'sgd', transforms: [{ name: 'staleness-step', kind: 'tail-tau' }], sync: true } }, /config\.rule\.transforms\[0\]: "staleness-step" acts on stale gradients, and sync \(SSGD\) rounds have no staleness/],
    [{ rule: { base: 'dana-zero', sync: true } }, /config\.rule\.base: sync \(SSGD\) rounds need one of "sgd", "momentum"; got "dana-zero"/],
    [{ rule: { base: 'sgd', transforms: ['gap-aware', 'gap-aware'] } }, /config\.rule\.transforms\[1\]: "gap-aware" is listed twice/],
    [{ backend: 'wasm' }, /config\.backend: applies only to model \+ dataset runs/],
    [{ evalEvery: 0 }, /config\.evalEvery: Too small/],
    [{ target: { metric: 'train_loss', value: 1 } }, /config\.target\.metric: "train_loss" is measured on the train split: add "train" to evalSplits/],
  ];
  for (const [patch, re] of cases) assert.match(await configError({ ...base, ...patch }), re, JSON.stringify(patch));
});

test('model and dataset specs are validated with the config, before anything loads', async () => {
  const noObjective = { ...base, objective: undefined };
  let m = await configError({ ...noObjective, model: { name: 'mlp', bogus: 1 }, dataset: { name: 'mnist', trainSize: 100 } });
  assert.match(m, /config\.model: unknown field "bogus"; allowed fields: name, widths, activation, init/);
  m = await configError({ ...noObjective, model: { name: 'mlp' }, dataset: { name: 'mnist', traniSize: 100 } });
  assert.match(m, /config\.dataset: unknown field "traniSize"/);
  m = await configError({ ...noObjective, model: 'mlpp', dataset: 'mnist' });
  assert.match(m, /config\.model\.name: got "mlpp"; allowed values: "logreg", "mlp"/);
  m = await configError({ ...noObjective, model: { name: 'mlp' } });
  assert.match(m, /config\.dataset: model and dataset go together/);
  m = await configError({ ...noObjective, model: { name: 'mlp' }, dataset: { name: 'mnist' }, oracleOptions: { weightDecay: 0.1 } });
  assert.match(m, /config\.oracleOptions: unknown field "weightDecay"; allowed fields: evalBatchSize, bnMomentum/);
  const ok = await parseRunConfig({ ...noObjective, model: 'mlp', dataset: 'mnist' });
  assert.deepEqual(ok.model, { name: 'mlp', widths: [256, 128], activation: 'relu', init: 'glorot-uniform' }, 'a bare name is the model with its defaults');
});

test('a huge lr diverges: status "diverged" at the step, rows up to it kept, no NaN in the tables, no throw', async () => {
  const r = await runExperiment({ ...base, lr: 50, steps: 1000, evalEvery: 1 });
  assert.equal(r.record.status, 'diverged');
  const at = r.record.divergedAtStep!;
  assert.ok(at > 1 && at < 50, `diverged at ${at}`);
  assert.equal(r.updates.numRows(), at);
  assert.equal(r.updates.array('step')[at - 1], at);
  assert.match(r.record.message!, /exceeds the divergence bound/);
  assert.equal(r.record.summary.final_test_loss, null, 'no "final" figures for a diverged run');
  assert.equal(Math.max(...(r.evals.array('step') as number[])), at - 1, 'evaluations up to the step before');
  // With no bound, the same run goes on until θ is no longer finite, and that row is kept too (its loss as null).
  const off = await runExperiment({ ...base, lr: 50, steps: 1000, divergeLoss: 'off' });
  assert.equal(off.record.status, 'diverged');
  assert.match(off.record.message!, /NaN or infinite|loss is (NaN|Infinity)/);
  const last = off.updates.objects().at(-1) as { step: number; loss: number | null };
  assert.equal(last.step, off.record.divergedAtStep);
  assert.ok(off.record.divergedAtStep! > at);
  assert.ok((off.updates.array('loss') as (number | null)[]).every((l) => l === null || Number.isFinite(l)), 'no NaN cell');
  // A fixed bound.
  const fixed = await runExperiment({ ...base, lr: 50, steps: 1000, divergeLoss: 1e6 });
  assert.ok(fixed.record.divergedAtStep! > at && fixed.record.divergedAtStep! < off.record.divergedAtStep!);
});

test('abort: stops on control.signal with status "interrupted", rows kept; progress is reported', async () => {
  const controller = new AbortController();
  const seen: number[] = [];
  const r = await runExperiment(
    { ...base, objective: { name: 'quadratic', dim: 200 }, lr: 0.01, steps: 10_000_000, logEvery: 1000 },
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
  assert.equal(r.record.summary.updates, 20_000);
  assert.equal(r.updates.array('step').at(-1), 20_000, 'the last applied update is logged');
  assert.equal(seen.at(-1), 20_000);
  assert.ok(seen.length >= 20_000, 'progress every update with interval 0');
  // A timer-driven abort must also get through: the loop yields to the event loop.
  const timed = new AbortController();
  setTimeout(() => timed.abort(), 150);
  const budget = 100_000_000;
  const r2 = await runExperiment({ ...base, lr: 0.01, steps: budget, logEvery: 10_000 }, { signal: timed.signal });
  assert.equal(r2.record.status, 'interrupted');
  assert.ok((r2.record.summary.updates as number) < budget, 'the timer stopped it before the budget');
});

test('record: rule and its parts\' parameters, versions, backend, machine, summary', async () => {
  const r = await runExperiment({ ...base, rule: { name: 'ga-momentum', momentum: 0.5, beta: 0.99 }, profile: 'smoke', evalSplits: ['test', 'train'] });
  const rec = r.record;
  assert.equal(rec.engine, 'sim');
  assert.equal(rec.backend, 'js');
  assert.equal(rec.versions.stalelab, stalelabVersion());
  assert.ok(rec.versions.node);
  assert.match(rec.versions.git_commit ?? '', /^[0-9a-f]{40}$/, 'the commit, when run from a checkout');
  assert.ok(rec.machine.cores >= 1 && rec.machine.cpu.length > 0 && rec.machine.memoryGiB > 0);
  assert.equal(rec.summary.rule, 'ga-momentum');
  assert.equal(rec.summary.rule_base, 'momentum');
  assert.equal(rec.summary.rule_transforms, 'gap-aware');
  assert.deepEqual(JSON.parse(rec.summary.rule_params as string), { base: { momentum: 0.5, nesterov: false }, transforms: [{ name: 'gap-aware', beta: 0.99, epsilon: 1e-8 }] });
  assert.equal(rec.status, 'finished');
  assert.equal(typeof rec.summary.final_test_loss, 'number');
  assert.deepEqual(r.evals.array('split'), ['test', 'train', 'test', 'train']);
  assert.ok((r.evals.array('profile') as string[]).every((p) => p === 'smoke'));
  assert.ok((r.updates.array('profile') as string[]).every((p) => p === 'smoke'));
  assert.deepEqual(r.updates.columnNames(), [...UPDATE_COLUMNS, 'sim_time', 'profile']);
  assert.deepEqual(r.evals.columnNames(), [...EVAL_COLUMNS.slice(0, 3), 'sim_time', ...EVAL_COLUMNS.slice(3), 'profile']);
});

test('epochs budget, step-decay schedule by samples, and the staleness step size in the lr and scale columns', async () => {
  const cfg: SimConfigInput = {
    rule: 'asgd', lr: 0.1, workers: 4, batchSize: 10, epochs: 3,
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
  const sa = await runExperiment({ ...cfg, lrSchedule: undefined, rule: { base: 'sgd', transforms: [{ name: 'staleness-step', kind: 'inverse', form: 'max-one-tau' }] } });
  const rows = sa.updates.objects() as { staleness: number; lr: number; scale: number; penalty_mean: number }[];
  rows.forEach((row) => {
    assert.equal(row.scale, 1 / Math.max(1, row.staleness));
    assert.equal(row.lr, 0.1 * row.scale);
  });
  assert.ok(rows.some((row) => row.scale < 1));
  assert.ok(rows.every((row) => row.penalty_mean === 1), 'the step size is not a penalty divisor');
  assert.equal(sa.record.summary.rule, 'sgd+staleness-step(inverse)');
});

test('weight decay at the master or at the worker', async () => {
  const run = (weightDecayAt: 'master' | 'worker') =>
    runExperiment({ ...base, timing: { kind: 'round-robin' }, rule: { name: 'asgd', weightDecay: 0.5, weightDecayAt }, steps: 20, returnTrajectory: true });
  const master = await run('master');
  const worker = await run('worker');
  assert.notDeepEqual(master.trajectory, worker.trajectory);
  // Update 1: Δ = 0, so both use θ0 (= 0 in every coordinate for the built-in quadratic: wd adds nothing).
  assert.deepEqual(master.trajectory![0], worker.trajectory![0]);
});

test('logEvery keeps the first row, every k-th and the last; summaries use every update', async () => {
  const r = await runExperiment({ ...base, steps: 1005, logEvery: 100, timing: { kind: 'round-robin' } });
  assert.deepEqual(r.updates.array('step'), [1, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1005]);
  assert.equal(r.record.summary.staleness_mean, (0 + 1 + 2 + 3 + 3 * 1001) / 1005);
  assert.equal(r.record.summary.staleness_p50, 3);
  assert.equal(r.record.summary.staleness_max, 3);
});

test('a target stops the run at the first evaluation that reaches it; a missed target is not_converged', async () => {
  const cfg = { ...base, objective: { name: 'quadratic', dim: 5 }, workers: 1, lr: 0.5, steps: 2000, evalEvery: 10 } as const;
  const hit = await runExperiment({ ...cfg, target: { metric: 'test_loss', value: 0.01 } });
  assert.equal(hit.record.status, 'finished');
  const at = hit.record.summary.target_reached_step as number;
  assert.ok(at > 0 && at < 2000 && at % 10 === 0);
  assert.equal(hit.updates.numRows(), at, 'stopped at the evaluation that reached it');
  const losses = hit.evals.array('loss') as number[];
  assert.ok(losses.at(-1)! <= 0.01 && losses.slice(0, -1).every((l) => l > 0.01));
  const missed = await runExperiment({ ...cfg, steps: 20, target: { metric: 'test_loss', value: -1 } });
  assert.equal(missed.record.status, 'not_converged');
  assert.equal(missed.record.summary.target_reached_step, null);
});

test('returnTrajectory is refused for big problems', async () => {
  await assert.rejects(runExperiment({ ...base, objective: { name: 'quadratic', dim: 100_000 }, steps: 1000, returnTrajectory: true }), /config\.returnTrajectory: keeps steps × D/);
});

test('an error inside the run that is not bad input ends it failed, with the rows so far', async () => {
  const r = await runExperiment({ ...base, workers: 2, objective: { name: 'failing', afterGradients: 7 } });
  assert.equal(r.record.status, 'failed');
  assert.match(r.record.message!, /failing objective: throws on gradient 7/);
  assert.ok(r.record.errorStack);
  assert.ok(r.updates.numRows() > 0 && r.updates.numRows() <= 7);
});
