/**
 * Every command and code example in README.md, run as written, and checked for what its comment
 * says it shows. The commands come out of the README itself (```sh blocks, `npx stalelab …` in
 * the text, ```ts and ```json blocks), so an example that stops working, or one added without a
 * check, fails here. What a check may change, and nothing else:
 *   - budgets (--steps, --train-size, --epochs, --workers of process engines, a grid's size), where
 *     the full run would take minutes; the command keeps its shape and flags;
 *   - `npx stalelab` runs as `node bin/stalelab.mjs` (what npx resolves it to; one command, --help,
 *     goes through npx itself), `runs/` is a temporary folder;
 *   - placeholders of other machines: the Redis host and password, the server address and token,
 *     0.0.0.0 (this test binds 127.0.0.1), and `sbatch`, which runs each array task here in turn.
 * Claims with numbers in a comment are compared with the run: deterministic simulator runs to the
 * digits given, runs on real threads to their order of magnitude.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as aq from 'arquero';
import { expandGrid } from '../../src/sweep/sweepGrid.ts';
import { parseRunConfig } from '../../src/run/parseRunConfig.ts';
import { CHANCE_MARGIN } from '../../src/run/collapse.ts';
import { chromiumAvailable, FIGURE_FORMATS } from '../../src/plot/figureImage.ts';
import { REQUIRE_CHROMIUM_ENV } from '../../src/plot/notebookReport.ts';
import type { RunRecord } from '../../src/run/runRecord.ts';
import { startRedis, type TestRedis } from '../sweep/redisServer.ts';
import { ensureDistBuilt } from '../notebooks/distBuild.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'stalelab.mjs');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

// ---------------------------------------------------------------- the README's examples

interface Block {
  lang: string;
  text: string;
}

const blocks: Block[] = [...README.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], text: m[2] }));

/** A shell block's commands: continuation lines joined, comment-only and blank lines dropped. */
function commandsOf(text: string): { command: string; comment: string }[] {
  const out: { command: string; comment: string }[] = [];
  let comment: string[] = [];
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    const t = line.trim();
    if (t === '') continue;
    if (t.startsWith('#')) {
      comment.push(t.replace(/^#\s?/, ''));
      continue;
    }
    // A trailing `# …` is the command's comment, not part of it (no command here has " # " inside quotes).
    const [command, trailing] = t.split(/\s+#\s/, 2);
    out.push({ command, comment: [...comment, ...(trailing ? [trailing] : [])].join(' ') });
    comment = [];
  }
  return out;
}

const shellCommands = blocks.filter((b) => b.lang === 'sh').flatMap((b) => commandsOf(b.text));
// Outside code blocks: `npx stalelab …` written inline in the prose.
const prose = README.replace(/^```\w*\n[\s\S]*?^```$/gm, '');
const inlineCommands = [...prose.matchAll(/`(npx stalelab [^`]+)`/g)].map((m) => ({ command: m[1], comment: '' }));
const allCommands = [...shellCommands, ...inlineCommands];
// Inline flag examples in the prose: `--model '{…}'`, `--rule '{…}'`, `--step-size '{…}'`.
const inlineSpecFlags = [...prose.matchAll(/`(--[a-z-]+ '\{[^`]+\}')`/g)].map((m) => m[1]);
// Inline JSON rule definitions by module path: `{ "base": …, "transforms": [{ "module": … }] }`.
const inlineModuleRules = [...prose.matchAll(/`(\{ "base"[^`]*"module"[^`]*\})`/g)].map((m) => m[1]);

/** The one README command matching `pattern` (with the comment above it). */
function readmeCommand(pattern: RegExp): { command: string; comment: string } {
  const found = allCommands.filter((c) => pattern.test(c.command));
  assert.equal(found.length, 1, `README.md has exactly one command matching ${pattern} (found ${found.length})`);
  return found[0];
}

/** The shell block holding a command that matches `pattern`. */
function readmeBlock(pattern: RegExp): string {
  const found = blocks.filter((b) => b.lang === 'sh' && pattern.test(b.text));
  assert.equal(found.length, 1, `README.md has exactly one sh block matching ${pattern}`);
  return found[0].text;
}

/** A number the README claims, from the text around `label`, e.g. claim(c, /accuracy ([\d.]+) after 200/). */
function claim(text: string, pattern: RegExp): number {
  const m = pattern.exec(text);
  assert.ok(m, `the README's comment "${text}" states ${pattern}`);
  return Number(m[1]);
}

const chromiumSkip = !chromiumAvailable() && process.env[REQUIRE_CHROMIUM_ENV] !== '1' ? 'no Chromium (sudo apt-get install chromium)' : false;

// Commands not run here, and why.
const NOT_RUN: Record<string, string> = {
  'bash scripts/reproduce.sh': 'installs and runs every notebook (minutes): test/notebooks/notebooks.test.ts runs each notebook the same way, CI runs npm ci and setup-jupyter',
  'npm test': 'this suite',
};

// ---------------------------------------------------------------- running them

let tmp = '';
let runs = '';

interface Done {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npx stalelab` → `node bin/stalelab.mjs`, `runs/` → the temporary folder. */
function local(command: string): string {
  return command.replace(/\bnpx stalelab\b/g, `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`).replace(/(^|\s)runs\//g, `$1${runs}/`);
}

/** Lower a numeric flag to at most `max` (a budget), keeping the flag. */
function cap(command: string, flag: string, max: number): string {
  const re = new RegExp(`${flag} (\\d+(?:\\.\\d+)?)`);
  assert.match(command, re, `the command has ${flag}`);
  return command.replace(re, (_, v: string) => `${flag} ${Math.min(Number(v), max)}`);
}

function sh(command: string, opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<Done> {
  return new Promise((resolve, reject) => {
    const p = spawn('bash', ['-c', command], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function ok(r: Done, what: string): void {
  assert.equal(r.code, 0, `${what} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
}

const record = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
const csv = (path: string) => aq.fromCSV(readFileSync(path, 'utf8'));
const testAccuracy = (dir: string) => csv(join(dir, 'evals.csv')).filter((d: { split: string }) => d.split === 'test').objects() as { step: number; accuracy: number }[];

/** A small copy of a grid file: the first values of each varied field, a short budget on a small subset. */
function smallGrid(path: string, keep: number[]): string {
  const grid = JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as { base: Record<string, unknown>; vary: Record<string, unknown[]> };
  const keys = Object.keys(grid.vary);
  keys.forEach((k, i) => (grid.vary[k] = grid.vary[k].slice(0, keep[i] ?? 1)));
  const dataset = grid.base.dataset as Record<string, unknown>;
  Object.assign(dataset, { trainSize: 1000, testSize: 500 });
  delete grid.base.epochs;
  grid.base.steps = 30;
  grid.base.evalEvery = 10;
  const out = join(tmp, `small-${path.replace(/\W/g, '_')}-${keep.join('')}.json`);
  writeFileSync(out, JSON.stringify(grid));
  return out;
}

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'stalelab-readme-'));
  runs = join(tmp, 'runs');
  // The ts examples import 'stalelab', which resolves to dist/.
  ensureDistBuilt();
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------- coverage

/** Which test below runs each README command. */
const RUN_BY: [RegExp, string][] = [
  [/--out runs\/sgd$/, 'plain SGD'],
  [/--out runs\/dana$/, 'DANA-Zero at 8 workers'],
  [/--out runs\/dana-collapse$/, 'the collapse'],
  [/--out runs\/hogwild$/, 'Hogwild! to a target'],
  [/^npx stalelab sweep experiments\/rules-by-workers\.json --out/, 'the sweep'],
  [/^npx stalelab run --help/, 'help and version'],
  [/^npx stalelab --version$/, 'help and version'],
  [/stalelab (worker|sweep \S+) --queue/, 'the queue'],
  [/^grid=|--list \||^sbatch |--collect runs\/sweep/, 'the Slurm array'],
  [/--engine ps --workers 8/, 'the parameter server'],
  [/^npx stalelab (serve|join) /, 'serve and join'],
  [/--sync leashed --threads 4/, 'Leashed-SGD in the text'],
];

test('every README command is run by one of these tests (or listed, with the reason, as not run)', () => {
  assert.ok(allCommands.length >= 15, `found ${allCommands.length} commands`);
  for (const { command } of allCommands) {
    const by = RUN_BY.filter(([re]) => re.test(command));
    if (command in NOT_RUN) {
      assert.equal(by.length, 0);
      continue;
    }
    assert.equal(by.length, 1, `README command not covered by exactly one test here: ${command}`);
  }
  assert.deepEqual(Object.keys(NOT_RUN).filter((c) => !allCommands.some((x) => x.command.startsWith(c))), [], 'every exemption is still in the README');
  assert.deepEqual(blocks.map((b) => b.lang).filter((l) => !['sh', 'ts', 'json'].includes(l)), [], 'only sh, ts and json blocks');
  assert.equal(blocks.filter((b) => b.lang === 'ts').length, 2, 'the two ts examples tested below');
  assert.equal(inlineSpecFlags.length, 3, `the three inline spec flags tested below: ${inlineSpecFlags.join(' ')}`);
  assert.equal(inlineModuleRules.length, 1, 'the module-path rule tested below');
  for (const inline of ['stalelab plot DIR', "saveFigure(fig,\n  'fig.pdf')", "await figureToImage(fig, { format: 'png' })", 'npm install /path/to/stalelab', 'npm install ./stalelab-0.2.0.tgz', '--config FILE']) {
    assert.ok(README.includes(`\`${inline}\``), `the README still shows \`${inline}\` (tested below)`);
  }
});

// ---------------------------------------------------------------- the examples

describe('README examples', { concurrency: 2 }, () => {
  test('plain SGD trains: the test accuracy the comment states', async () => {
    const { command, comment } = readmeCommand(/--out runs\/sgd$/);
    ok(await sh(local(command)), command);
    const r = record(join(runs, 'sgd'));
    assert.equal(r.status, 'finished');
    assert.equal(r.summary.updates, 200);
    assert.ok(Math.abs((r.summary.final_test_accuracy as number) - claim(comment, /test accuracy ([\d.]+) after 200 updates/)) <= 0.01);
    assert.equal(r.summary.collapsed, false);
  });

  test('DANA-Zero at 8 workers trains (first 400 of its 2000 updates): staleness N − 1 and the accuracy at update 200', async () => {
    const { command, comment } = readmeCommand(/--out runs\/dana$/);
    ok(await sh(local(cap(command, '--steps', 400))), command);
    const dir = join(runs, 'dana');
    const r = record(dir);
    assert.equal(r.status, 'finished');
    assert.ok(Math.abs((r.summary.staleness_mean as number) - claim(comment, /mean staleness ([\d.]+)/)) <= 0.1);
    // The simulator is deterministic: the first 400 updates are those of the full run.
    const at200 = testAccuracy(dir).find((e) => e.step === 200)!;
    assert.ok(Math.abs(at200.accuracy - claim(comment, /test accuracy ([\d.]+) at update 200/)) <= 0.01);
    assert.ok(testAccuracy(dir).at(-1)!.accuracy > at200.accuracy, 'still improving at 400');
    assert.equal(r.summary.collapsed, false);
  });

  test('the collapse (first 500 updates): 0.25 by update 200, then chance; a warning and collapsed: true at the step stated', async () => {
    const { command, comment } = readmeCommand(/--out runs\/dana-collapse$/);
    const done = await sh(local(cap(command, '--steps', 500)));
    ok(done, command);
    assert.match(done.stderr, /stalelab: warning: the run collapsed: its test accuracy ended at chance/);
    const dir = join(runs, 'dana-collapse');
    const r = record(dir);
    assert.equal(r.status, 'finished', 'it "finishes"');
    assert.equal(r.summary.collapsed, true);
    assert.equal(r.summary.collapse_step, claim(comment, /collapse_step: (\d+)/));
    const acc = testAccuracy(dir);
    assert.ok(Math.abs(acc.find((e) => e.step === 200)!.accuracy - claim(comment, /reaches ([\d.]+) by update 200/)) <= 0.01);
    assert.ok(acc.at(-1)!.accuracy <= (r.summary.chance_accuracy as number) + CHANCE_MARGIN);
  });

  test('Hogwild! to a target: stopped at the first evaluation past it; without --eval-every the target is refused', async () => {
    const { command, comment } = readmeCommand(/--out runs\/hogwild$/);
    ok(await sh(local(command)), command);
    const dir = join(runs, 'hogwild');
    const r = record(dir);
    assert.equal(r.status, 'finished');
    const step = r.summary.target_reached_step as number;
    assert.ok(step < 3000, 'stopped at the target, before the budget');
    // Real threads: the step varies run to run; the comment's order of magnitude holds.
    const stated = claim(comment, /reached at\s+update ≈ (\d+)/);
    assert.ok(step >= stated / 2 && step <= stated * 2, `target at update ${step}, README says ≈ ${stated}`);
    const acc = testAccuracy(dir);
    const first = acc.findIndex((e) => e.accuracy >= 0.9);
    assert.equal(acc[first].step, step, 'the target step is the first evaluation at or past 0.9');
    assert.ok(step - acc[first - 1].step <= 100 + 2, 'within one evaluation interval (100 updates, + the threads in flight) of the truth');
    const refused = await sh(local(command.replace(/ --eval-every 100/, '').replace(/runs\/hogwild/, 'runs/hogwild-no-eval')));
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /config\.evalEvery: a target needs evaluations during the run/);
  });

  test('the sweep (a 4-run cut of its grid) saves every run and skips them on rerun; the recorded figures it quotes', async () => {
    const { command, comment } = readmeCommand(/^npx stalelab sweep experiments\/rules-by-workers\.json --out/);
    const small = local(command.replace('experiments/rules-by-workers.json', smallGrid('experiments/rules-by-workers.json', [2, 2, 1])));
    ok(await sh(small), command);
    const first = csv(join(runs, 'rules-by-workers', 'runs.csv'));
    assert.equal(first.numRows(), 4);
    assert.deepEqual([...new Set(first.array('status') as string[])], ['finished']);
    ok(await sh(small), `${command} (again)`);
    assert.ok((csv(join(runs, 'rules-by-workers', 'runs.csv')).array('loaded') as boolean[]).every((l) => String(l) === 'true'), 'rerun: every run loaded, none run again');
    // The numbers quoted from the recorded full grid.
    assert.equal(expandGrid(JSON.parse(readFileSync(join(ROOT, 'experiments', 'rules-by-workers.json'), 'utf8'))).length, claim(comment, /\((\d+) runs\)/));
    const recorded = csv(join(ROOT, 'experiments', 'results', 'rules-by-workers-2026-11-30', 'runs.csv'));
    const at32 = (rule: string) => recorded.filter(aq.escape((d: { rule: string; workers: number }) => d.rule === rule && d.workers === 32)).rollup({ m: aq.op.mean('final_test_accuracy') }).get('m', 0) as number;
    for (const [rule, label] of [['ga', 'GA keeps'], ['ssgd', 'and SSGD'], ['asgd', 'ASGD falls to'], ['dana-zero', 'DANA-Zero to']] as const) {
      assert.ok(Math.abs(at32(rule) - claim(comment, new RegExp(`${label} ([\\d.]+)`))) <= 0.005, `${rule} at N = 32`);
    }
  });

  test('help and version: --help through npx itself lists the flags; --version is the package version', async () => {
    const help = readmeCommand(/^npx stalelab run --help/);
    const h = await sh(help.command.replace(/#.*$/, ''));
    ok(h, help.command);
    for (const flag of ['--eval-every', '--target', '--config', '--out']) assert.ok(h.stdout.includes(flag), flag);
    const v = await sh(local(readmeCommand(/^npx stalelab --version$/).command));
    ok(v, '--version');
    assert.equal(v.stdout.trim(), VERSION);
  });

  test('Leashed-SGD with GA momentum on 4 threads trains (first 300 of its 2000 updates)', async () => {
    const { command } = readmeCommand(/--sync leashed --threads 4/);
    ok(await sh(local(`${cap(command, '--steps', 300)} --out runs/leashed --no-progress`)), command);
    const r = record(join(runs, 'leashed'));
    assert.equal(r.status, 'finished');
    assert.equal(r.summary.updates, 300);
    assert.ok((r.summary.final_test_accuracy as number) > 0.6, `accuracy ${r.summary.final_test_accuracy}`);
    assert.ok((r.summary.staleness_mean as number) > 0, 'the threads do interleave');
  });

  test('the parameter server (3 of the 8 processes, 1500 examples): it trains and worker 0 is the straggler', async () => {
    const { command } = readmeCommand(/--engine ps --workers 8/);
    ok(await sh(local(cap(cap(command, '--workers', 3), '--train-size', 1500)) + ' --no-progress'), command);
    const dir = join(runs, 'ps');
    const r = record(dir);
    assert.equal(r.status, 'finished');
    assert.ok((r.summary.final_test_accuracy as number) > 0.5, `accuracy ${r.summary.final_test_accuracy}`);
    const byWorker = csv(join(dir, 'updates.csv')).groupby('worker').rollup({ delay: aq.op.mean('delay_sec'), n: aq.op.count() }).orderby('worker').objects() as { worker: number; delay: number; n: number }[];
    assert.equal(byWorker.length, 3);
    assert.ok(byWorker[0].delay > 0 && byWorker.slice(1).every((w) => w.delay < byWorker[0].delay / 10), 'only worker 0 is slowed down');
  });

  test('serve and join: a server waiting for a worker, and a worker joining it with the printed token', async () => {
    const serve = readmeCommand(/^npx stalelab serve /).command;
    const join_ = readmeCommand(/^npx stalelab join /).command;
    const server = local(cap(serve.replace('--listen 0.0.0.0', '--listen 127.0.0.1').replace('--port 5555', '--port 0'), '--workers', 1).replace(/--epochs 2/, '--epochs 0.05'));
    const p = spawn('bash', ['-c', `exec ${server} --no-progress`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const closed = new Promise<number | null>((resolve) => p.on('close', resolve));
    const joinLine = await new Promise<string>((resolve, reject) => {
      createInterface({ input: p.stderr }).on('line', (line) => {
        stderr += `${line}\n`;
        const m = /stalelab join (tcp:\/\/\S+) --token (\S+)/.exec(line);
        if (m) resolve(`${m[1]} ${m[2]}`);
      });
      p.on('close', () => reject(new Error(`serve ended before printing the join command:\n${stderr}`)));
    });
    const [endpoint, token] = joinLine.split(' ');
    const joined = await sh(local(join_.replace(/#.*$/, '').replace('tcp://SERVER:5555', endpoint).replace('TOKEN', token)));
    ok(joined, join_);
    assert.equal(await closed, 0, stderr);
    const r = record(join(runs, 'ps-remote'));
    assert.equal(r.status, 'finished');
    assert.equal(r.summary.workers, 1);
    assert.ok((r.summary.final_test_accuracy as number) > 0.3, `accuracy ${r.summary.final_test_accuracy}`);
    assert.ok(!JSON.stringify(r).includes(token), 'the token is not saved with the run');
  });

  test('the queue: a worker and a sweep through Redis with a password; the worker stops on Ctrl-C with exit 0', async () => {
    const block = readmeBlock(/--queue redis:/);
    const [workerCmd, sweepCmd] = commandsOf(block).map((c) => c.command);
    let redis: TestRedis | undefined;
    try {
      redis = await startRedis({ password: 'readme-test-secret' });
      const url = (cmd: string) => cmd.replace('PASSWORD@10.0.0.5:6379', `readme-test-secret@127.0.0.1:${redis!.port}`).replace(/#.*$/, '');
      const worker = spawn('bash', ['-c', `exec ${local(url(workerCmd))}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let workerErr = '';
      worker.stderr.on('data', (d) => (workerErr += d));
      const workerDone = new Promise<number | null>((resolve) => worker.on('close', resolve));
      const done = await sh(local(url(sweepCmd).replace('experiments/rules-by-workers.json', smallGrid('experiments/rules-by-workers.json', [2]))) + ' --no-progress');
      ok(done, sweepCmd);
      const table = csv(join(runs, 'sweep', 'runs.csv'));
      assert.equal(table.numRows(), 2);
      assert.deepEqual([...new Set(table.array('status') as string[])], ['finished']);
      worker.kill('SIGINT');
      assert.equal(await workerDone, 0, workerErr);
    } finally {
      await redis?.stop();
    }
  });

  test('the Slurm array: --list counts the grid, each array task runs one entry, --collect assembles the tables', async () => {
    const block = readmeBlock(/sbatch --array/);
    const bin = join(tmp, 'slurm-bin');
    mkdirSync(bin, { recursive: true });
    // No Slurm here: this sbatch runs each task of --array=A-B in turn, with SLURM_ARRAY_TASK_ID set.
    writeFileSync(join(bin, 'sbatch'), [
      '#!/usr/bin/env bash', 'set -euo pipefail',
      'range=${1#--array=}; shift', 'for ((i=${range%-*}; i<=${range#*-}; i++)); do SLURM_ARRAY_TASK_ID=$i bash "$@"; done', '',
    ].join('\n'));
    chmodSync(join(bin, 'sbatch'), 0o755);
    const small = smallGrid('experiments/rules-by-workers.json', [3]);
    const script = local(block.replace('grid=experiments/rules-by-workers.json', `grid=${small}`).replace(/runs\/sweep/g, join(tmp, 'slurm-sweep')));
    const done = await sh(`set -euo pipefail\n${script}`, { env: { PATH: `${bin}:${process.env.PATH}`, STALELAB: `${process.execPath} ${BIN}` } });
    ok(done, 'the Slurm block');
    assert.doesNotMatch(done.stderr, /EPIPE|Error/, 'head closing the pipe is not a crash');
    const table = csv(join(tmp, 'slurm-sweep', 'runs.csv'));
    assert.equal(table.numRows(), 3);
    assert.deepEqual([...new Set(table.array('status') as string[])], ['finished']);
  });

  test('the inline spec flags (--model, --rule, --step-size JSON) land in the run config; --config takes the saved run.json back', async () => {
    const out = join(runs, 'specs');
    ok(await sh(local(`npx stalelab run ${inlineSpecFlags.join(' ')} --workers 4 --timing gamma --dataset mnist --train-size 1000 --test-size 500 --steps 40 --batch-size 32 --lr 0.01 --eval-every 20 --out ${out} --no-progress`)), 'the spec flags');
    const r = record(out);
    assert.equal(r.status, 'finished');
    type Part = { name: string; params: Record<string, unknown> };
    const config = r.config as { model: { name: string; widths: number[] }; rule: { base: Part; transforms: Part[] } };
    assert.deepEqual([config.model.name, config.model.widths], ['mlp', [128]]);
    assert.deepEqual([config.rule.base.name, config.rule.base.params.momentum, config.rule.transforms[0].name], ['momentum', 0.95, 'gap-aware'], 'ga-momentum with γ = 0.95');
    const last = config.rule.transforms.at(-1)!;
    assert.deepEqual([last.name, last.params.kind, last.params.amplitude], ['staleness-step', 'tail-tau', 0.5], 'TAIL-τ with amplitude 0.5, last in the chain');
    // `--config FILE` starts from a saved run.json and the flags override it.
    const again = join(runs, 'specs-again');
    ok(await sh(local(`npx stalelab run --config ${join(out, 'run.json')} --steps 20 --out ${again} --no-progress`)), '--config run.json');
    const r2 = record(again);
    assert.equal(r2.summary.updates, 20, 'the flag overrides the file');
    assert.deepEqual({ ...r2.config, steps: null }, { ...r.config, steps: null }, 'every other field from the saved run');
    assert.deepEqual(csv(join(again, 'updates.csv')).array('loss'), csv(join(out, 'updates.csv')).array('loss').slice(0, 20), 'the same run, cut at 20 updates');
  });

  test('stalelab plot DIR draws a saved run\'s figures as SVG, PNG and PDF; --format and --out choose', { skip: chromiumSkip }, async () => {
    const dir = join(runs, 'plotted');
    ok(await sh(local(`npx stalelab run --objective quadratic --workers 4 --steps 60 --lr 0.05 --eval-every 10 --out ${dir} --no-progress`)), 'a run to plot');
    ok(await sh(local(`npx stalelab plot ${dir}`)), 'stalelab plot DIR');
    const files = readdirSync(join(dir, 'figures')).sort();
    const stems = [...new Set(files.map((f) => f.replace(/\.\w+$/, '')))];
    assert.ok(stems.length >= 2, `figures: ${files.join(', ')}`);
    for (const stem of stems) for (const ext of FIGURE_FORMATS) assert.ok(files.includes(`${stem}.${ext}`), `${stem}.${ext}`);
    const folder = join(tmp, 'figures-svg-png');
    ok(await sh(local(`npx stalelab plot ${dir} --format svg,png --out ${folder}`)), '--format svg,png --out FOLDER');
    assert.deepEqual([...new Set(readdirSync(folder).map((f) => f.replace(/^.*\./, '')))].sort(), ['png', 'svg']);
  });

  test('the json grid is a valid grid: every entry validates as a run config', async () => {
    const grids = blocks.filter((b) => b.lang === 'json');
    assert.ok(grids.length >= 1);
    for (const g of grids) {
      const points = expandGrid(JSON.parse(g.text));
      assert.equal(points.length, 4 * 3 * 3);
      for (const p of points) await parseRunConfig(p.input);
    }
  });

  test('the ts examples run as written in a project that links stalelab, and show what their comments say', async () => {
    const project = join(tmp, 'project');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'package.json'), '{ "name": "readme-project", "type": "module" }\n');
    // `npm install /path/to/stalelab`, as the README says (a directory install: a link, no download).
    ok(await sh(`npm install ${JSON.stringify(ROOT)} --offline --no-audit --no-fund --ignore-scripts`, { cwd: project }), 'npm install /path/to/stalelab');
    assert.ok(lstatSync(join(project, 'node_modules', 'stalelab')).isSymbolicLink());
    const [rule, library] = blocks.filter((b) => b.lang === 'ts').map((b) => b.text);
    const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');

    // Your own rule: the sweep's tables, printed by the example, and the figures its comment states.
    writeFileSync(join(project, 'rule.ts'), `${rule}\nconsole.log('README-RESULT ' + JSON.stringify(r.runs.objects()));\n`);
    const a = await sh(`${tsx} rule.ts`, { cwd: project });
    ok(a, 'the registerTransform example');
    const rows = JSON.parse(/README-RESULT (.*)/.exec(a.stdout)![1]) as { rule: string; final_test_loss: number; penalty_mean: number; status: string }[];
    assert.equal(rows.length, 12);
    assert.ok(rows.every((r) => r.status === 'finished'));
    const comment = /\/\/ final test loss[\s\S]*$/.exec(rule)![0];
    const mean = (rule: string, k: 'final_test_loss' | 'penalty_mean') => rows.filter((r) => r.rule === rule).reduce((s, r) => s + r[k], 0) / 3;
    for (const [name, label] of [['tau-power', 'tau-power'], ['ga', 'GA'], ['asgd', 'ASGD'], ['sa', 'SA']] as const) {
      const stated = claim(comment, new RegExp(`${label} (0\\.\\d+)`));
      assert.ok(Math.abs(mean(name, 'final_test_loss') - stated) <= 0.05 * stated + 1e-4, `${name}: loss ${mean(name, 'final_test_loss')} vs ${stated}`);
    }
    for (const [name, label] of [['sa', 'SA divides every gradient by'], ['ga', 'GA by'], ['tau-power', 'tau-power by']] as const) {
      assert.ok(Math.abs(mean(name, 'penalty_mean') - claim(comment, new RegExp(`${label} ([\\d.]+)`))) <= 0.06 * mean(name, 'penalty_mean'), name);
    }

    // The library example: its printed line and the saved run.
    writeFileSync(join(project, 'library.ts'), library);
    const b = await sh(`${tsx} library.ts`, { cwd: project });
    ok(b, 'the library example');
    const printed = /^(finished|diverged|not_converged|interrupted|failed) ([\d.]+) ([\d.]+)$/m.exec(b.stdout);
    assert.ok(printed, b.stdout.slice(-2000));
    const stated = /\/\/ (\w+) ([\d.]+) ([\d.]+):/.exec(library)!;
    assert.equal(printed[1], stated[1]);
    assert.ok(Math.abs(Number(printed[2]) - Number(stated[2])) <= 0.01, `accuracy ${printed[2]} vs ${stated[2]}`);
    assert.ok(Math.abs(Number(printed[3]) - Number(stated[3])) <= 0.05);
    assert.equal(record(join(project, 'runs', 'ga')).summary.final_test_accuracy, Number(printed[2]));

    // The same transform by module path (the README's definition, exported from ./tauPower.ts), on real threads through the CLI.
    const definition = /registerTransform\((\{[\s\S]*?\n\})\);/.exec(rule)![1];
    writeFileSync(join(project, 'tauPower.ts'), `export const tauPower = ${definition};\n`);
    const byPath = await sh(`${local('npx stalelab')} run --engine threads --threads 2 --rule '${inlineModuleRules[0]}' --objective quadratic --steps 200 --lr 0.05 --out module-rule --no-progress`, { cwd: project });
    ok(byPath, inlineModuleRules[0]);
    const m = record(join(project, 'module-rule'));
    assert.equal(m.status, 'finished');
    assert.deepEqual((m.config.rule as { transforms: { module?: { module: string } }[] }).transforms[0].module?.module, join(project, 'tauPower.ts'), 'the record keeps the absolute path');
    const penalised = csv(join(project, 'module-rule', 'updates.csv')).objects() as { staleness: number; penalty_mean: number }[];
    assert.ok(penalised.every((u) => Math.abs(u.penalty_mean - (1 + u.staleness)) < 1e-6), 'power 1: every gradient divided by 1 + τ');
    assert.ok(penalised.some((u) => u.staleness > 0), 'the threads interleave');

    // `saveFigure(fig, 'fig.pdf')` and `await figureToImage(fig, { format: 'png' })` from code.
    if (!chromiumSkip) {
      writeFileSync(join(project, 'figure.ts'), [
        "import { curveFigure, figureToImage, saveFigure, loadRun, closeFigureRenderer } from 'stalelab';",
        "const fig = curveFigure(loadRun('runs/ga').evals, { x: { column: 'step', title: 'updates' }, y: { column: 'accuracy', title: 'accuracy' }, group: { column: 'split', title: 'split' } });",
        "await saveFigure(fig, 'fig.pdf');",
        "const png = await figureToImage(fig, { format: 'png' });",
        "console.log('PNG ' + png.subarray(1, 4).toString() + ' ' + png.length);",
        'await closeFigureRenderer();',
      ].join('\n'));
      const f = await sh(`${tsx} figure.ts`, { cwd: project });
      ok(f, 'saveFigure / figureToImage');
      assert.match(f.stdout, /^PNG PNG \d{4,}$/m);
      assert.equal(readFileSync(join(project, 'fig.pdf')).subarray(0, 5).toString(), '%PDF-');
    }

    // `npm pack` here: the tarball holds what `import … from 'stalelab'` needs (exports → dist, with types).
    // Installing it in another project would download the dependencies; here its content is used with this checkout's.
    const packed = await sh(`npm pack --pack-destination ${JSON.stringify(tmp)} --ignore-scripts --silent`);
    ok(packed, 'npm pack');
    const tarball = join(tmp, packed.stdout.trim().split('\n').at(-1)!);
    assert.equal(tarball, join(tmp, `stalelab-${VERSION}.tgz`), 'the name the README gives');
    const unpacked = join(tmp, 'unpacked');
    mkdirSync(unpacked);
    ok(await sh(`tar -xzf ${JSON.stringify(tarball)} -C ${JSON.stringify(unpacked)}`), 'tar');
    const pkg = join(unpacked, 'package');
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'package.json', 'LICENSE']) assert.ok(existsSync(join(pkg, f)), `the tarball has ${f}`);
    const consumer = join(tmp, 'tarball-project');
    mkdirSync(join(consumer, 'node_modules'), { recursive: true });
    writeFileSync(join(consumer, 'package.json'), '{ "type": "module" }\n');
    symlinkSync(pkg, join(consumer, 'node_modules', 'stalelab'), 'dir');
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
    writeFileSync(join(consumer, 'use.mjs'), "import { runExperiment } from 'stalelab';\nconst r = await runExperiment({ objective: 'quadratic', lr: 0.05, steps: 20, workers: 4 });\nconsole.log('TARBALL ' + r.record.status + ' ' + r.record.summary.updates);\n");
    const used = await sh(`${JSON.stringify(process.execPath)} use.mjs`, { cwd: consumer });
    ok(used, 'import from the packed stalelab');
    assert.match(used.stdout, /^TARBALL finished 20$/m);
  });
});
