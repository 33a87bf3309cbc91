import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './runCli.ts';
import { BACKEND_CHOICES } from '../../src/backend/backendNames.ts';
import { loadRun } from '../../src/results/runDir.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'stalelab-cli-'));

test('run: plain SGD on real MNIST writes the three files, and loadRun reads back the same tables', async () => {
  const out = tmp();
  const r = await cli('run', '--model', 'mlp', '--dataset', 'mnist', '--train-size', '2000', '--test-size', '500', '--steps', '60', '--batch-size', '64', '--lr', '0.05', '--seed', '1', '--backend', 'wasm', '--out', out, '--no-progress');
  assert.equal(r.code, 0, r.err);
  for (const f of ['updates.csv', 'evals.csv', 'run.json']) assert.ok(existsSync(join(out, f)), f);
  const run = loadRun(out);
  assert.equal(run.record.status, 'finished');
  assert.equal(run.record.engine, 'sim');
  assert.equal(run.record.summary?.rule, 'asgd');
  assert.equal(run.updates.numRows(), 60);
  assert.deepEqual([...new Set(run.updates.array('staleness'))], [0], 'one worker: plain SGD, no staleness');
  const acc = run.evals.array('accuracy') as number[];
  assert.ok(acc[acc.length - 1] > acc[0] + 0.3, `test accuracy ${acc[0]} → ${acc[acc.length - 1]}`);
  // The last line names every file the run wrote (tables in three formats, θ, the record).
  const wrote = r.out.split('\n').find((l) => l.includes('wrote '))!;
  for (const f of readdirSync(out)) assert.ok(wrote.includes(f), `${f} missing from: ${wrote}`);
  assert.ok(wrote.includes('theta.bin') && wrote.includes('updates.parquet'), wrote);
});

test('run: --momentum without --rule trains momentum SGD and records γ', async () => {
  const out = tmp();
  const r = await cli('run', '--objective', '{"name":"quadratic","dim":8}', '--steps', '20', '--lr', '0.1', '--momentum', '0.5', '--out', out, '--no-progress');
  assert.equal(r.code, 0, r.err);
  const run = loadRun(out);
  assert.equal(run.record.summary?.rule, 'momentum-asgd');
  assert.equal(JSON.parse(String(run.record.summary?.rule_params)).base.momentum, 0.5);
});

test('run: bad values are rejected with the field and the allowed values, nothing is written', async () => {
  const out = join(tmp(), 'never');
  const cases: [string[], RegExp][] = [
    [['--backend', 'gpu'], new RegExp(`--backend.*Allowed choices are ${BACKEND_CHOICES.join(', ')}`)],
    [['--steps', '0'], /--steps.*expected an integer ≥ 1/],
    [['--lr', 'fast'], /--lr.*got "fast"; expected a number > 0/],
    [['--model', 'mlpx'], /config\.model\.name.*"mlp".*"lenet5"/],
    [['--rule', 'dana'], /config\.rule: got "dana"; allowed rule names: "ssgd", "asgd".*"dana-zero"/],
    [['--sync', 'lock'], /--sync: not for --engine sim/],
    [['--rule', 'asgd', '--momentum', '0.9'], /config\.rule\.momentum: "asgd" has no parameter "momentum"/],
    [['--model', '{"name":"mlp","width":[3]}'], /unknown field "width"; allowed fields: name, widths/],
  ];
  for (const [bad, message] of cases) {
    const args = { '--model': 'mlp', '--dataset': 'mnist', '--steps': '5', '--lr': '0.1' } as Record<string, string>;
    for (let i = 0; i < bad.length; i += 2) args[bad[i]] = bad[i + 1];
    const r = await cli('run', ...Object.entries(args).flat(), '--out', out, '--no-progress');
    assert.equal(r.code, 2, `${bad.join(' ')}: exit ${r.code}`);
    assert.match(r.err, message, bad.join(' '));
  }
  assert.equal(existsSync(out), false);
});

test('run --help documents every flag', async () => {
  const r = await cli('run', '--help');
  assert.equal(r.code, 0);
  for (const flag of ['--engine', '--model', '--dataset', '--steps', '--batch-size', '--lr', '--momentum', '--seed', '--backend', '--out', '--rule', '--workers', '--timing', '--sync', '--threads', '--step-size', '--target']) {
    assert.match(r.out, new RegExp(`${flag} `), flag);
  }
});

test('run --engine threads: real worker threads on a built-in objective', async () => {
  const out = tmp();
  const r = await cli('run', '--engine', 'threads', '--sync', 'lock', '--threads', '2', '--objective', '{"name":"constant-gradient","dim":64}', '--steps', '200', '--lr', '0.001', '--out', out, '--no-progress');
  assert.equal(r.code, 0, r.err);
  const run = loadRun(out);
  assert.equal(run.record.engine, 'threads');
  assert.equal(run.record.summary?.applied, 200);
  assert.equal(run.record.summary?.invariant_violations, 0);
  assert.equal(run.record.summary?.workers, 2);
  assert.ok((run.updates.array('worker') as number[]).every((w) => w === 0 || w === 1), 'rows come from the two threads');
});

test('run --engine threads --rule ga-momentum: a composed rule under Leashed-SGD, penalties logged per update', async () => {
  const out = tmp();
  const r = await cli('run', '--engine', 'threads', '--sync', 'leashed', '--threads', '2', '--rule', 'ga-momentum', '--objective', 'quadratic', '--steps', '150', '--lr', '0.05', '--out', out, '--no-progress');
  assert.equal(r.code, 0, r.err);
  const run = loadRun(out);
  assert.equal(run.record.summary.rule, 'ga-momentum');
  assert.equal(run.record.summary.rule_base, 'momentum');
  assert.equal(run.record.summary.rule_transforms, 'gap-aware');
  assert.equal(run.record.summary?.applied, 150);
  const penalty = run.updates.array('penalty_mean') as number[];
  assert.equal(penalty.length, 150);
  assert.ok(penalty.every((p) => Number.isFinite(p) && p >= 1), 'GA penalties are ≥ 1 on every update');
});

test('run: --step-size puts a staleness-step transform last in the rule; --config takes a saved run.json back', async () => {
  const out = tmp();
  const r = await cli('run', '--objective', 'quadratic', '--rule', 'ga', '--step-size', 'inverse', '--workers', '4', '--timing', 'round-robin', '--steps', '20', '--lr', '0.1', '--out', out, '--no-progress');
  assert.equal(r.code, 0, r.err);
  const run = loadRun(out);
  assert.equal(run.record.summary.rule, 'sgd+gap-aware+staleness-step(inverse)');
  const scale = run.updates.array('scale') as number[];
  assert.deepEqual(scale.slice(4), new Array(16).fill(1 / 4), 'round-robin τ = 3 after the first round: s = 1/(τ+1)');
  const again = tmp();
  const rerun = await cli('run', '--config', join(out, 'run.json'), '--out', again, '--no-progress');
  assert.equal(rerun.code, 0, rerun.err);
  assert.deepEqual(loadRun(again).updates.array('loss'), run.updates.array('loss'), 'the saved config reruns the same run');
});

test('run: a rule defined in a module file, by path on the command line', async () => {
  const dir = tmp();
  const mod = join(dir, 'halve.ts');
  // An import in a .ts file outside any "type": "module" package: CommonJS to Node, so the CLI and
  // its worker threads need tsx's CommonJS hook as well as its ESM one.
  writeFileSync(mod, "import { isDeepStrictEqual } from 'node:util';\nexport const halve = { name: 'cli-halve', apply(_s: unknown, g: Float32Array) { isDeepStrictEqual(1, 1); for (let j = 0; j < g.length; j++) g[j] *= 0.5; } };\n");
  const out = join(dir, 'run');
  const rule = JSON.stringify({ base: 'sgd', transforms: [{ module: mod, export: 'halve' }] });
  const r = await cli('run', '--objective', 'quadratic', '--rule', rule, '--steps', '10', '--lr', '0.2', '--seed', '3', '--out', out, '--no-progress');
  assert.equal(r.code, 0, r.err);
  const half = loadRun(out);
  assert.equal(half.record.summary.rule, 'sgd+cli-halve');
  const plain = join(dir, 'plain');
  assert.equal((await cli('run', '--objective', 'quadratic', '--steps', '10', '--lr', '0.1', '--seed', '3', '--out', plain, '--no-progress')).code, 0);
  assert.deepEqual(half.updates.array('loss'), loadRun(plain).updates.array('loss'), 'halving g is ASGD at η/2');
  const threads = await cli('run', '--engine', 'threads', '--threads', '2', '--objective', 'quadratic', '--rule', rule, '--steps', '20', '--lr', '0.2', '--out', join(dir, 'threads'), '--no-progress');
  assert.equal(threads.code, 0, threads.err);
  assert.equal(loadRun(join(dir, 'threads')).record.status, 'finished', 'the module loads in the worker threads too');
  const missing = await cli('run', '--objective', 'quadratic', '--rule', JSON.stringify({ base: 'sgd', transforms: [{ module: mod, export: 'double' }] }), '--steps', '10', '--lr', '0.2', '--out', join(dir, 'x'), '--no-progress');
  assert.equal(missing.code, 2);
  assert.match(missing.err, /config\.rule\.transforms\[0\]\.export: .*exports no definition "double"; it exports halve/);
});

test('sweep: a grid file runs every point, writes the tables, and a rerun loads instead of rerunning', async () => {
  const dir = tmp();
  const grid = join(dir, 'grid.json');
  writeFileSync(grid, JSON.stringify({
    base: { objective: { name: 'quadratic', dim: 16 }, lr: 0.05, steps: 30, timing: { kind: 'round-robin' } },
    vary: { rule: ['asgd', 'dana-zero'], workers: [1, 4] },
  }));
  const out = join(dir, 'out');
  const first = await cli('sweep', grid, '--out', out, '--no-progress');
  assert.equal(first.code, 0, first.err);
  const runs = readFileSync(join(out, 'runs.csv'), 'utf8').trim().split('\n');
  assert.equal(runs.length, 1 + 4);
  assert.match(first.out, /dana-zero/);
  const again = await cli('sweep', grid, '--out', out, '--no-progress');
  assert.equal(again.code, 0, again.err);
  const loaded = readFileSync(join(out, 'runs.csv'), 'utf8').trim().split('\n').slice(1);
  const header = runs[0].split(',');
  assert.ok(loaded.every((row) => row.split(',')[header.indexOf('loaded')] === 'true'), 'rerun loaded every saved run');
});

test('Ctrl-C stops a run after the update in flight and keeps the finished rows (exit 130)', async () => {
  const out = tmp();
  const bin = new URL('../../bin/stalelab.mjs', import.meta.url).pathname;
  const child = spawn(process.execPath, [bin, 'run', '--objective', '{"name":"quadratic","dim":200000}', '--steps', '1000000', '--lr', '0.01', '--workers', '4', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  const sent = new Promise<void>((resolve) => {
    child.stderr.on('data', (d) => {
      err += String(d);
      if (/updates/.test(err) && !child.killed) {
        child.kill('SIGINT');
        resolve();
      }
    });
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  await sent;
  assert.equal(code, 130, err);
  const run = loadRun(out);
  assert.equal(run.record.status, 'interrupted');
  assert.ok(run.updates.numRows() > 0 && run.updates.numRows() < 1_000_000);
});
