import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import * as aq from 'arquero';
import { main } from '../../src/cli/main.ts';
import { ConfigError } from '../../src/config/validate.ts';
import { RUN_FILES } from '../../src/results/runDir.ts';
import { sweep } from '../../src/sweep/sweep.ts';
import { expandGrid, loadGridFile } from '../../src/sweep/sweepGrid.ts';

const root = mkdtempSync(join(tmpdir(), 'stalelab-sweep-reliability-'));
after(() => rmSync(root, { recursive: true, force: true }));
const bin = new URL('../../bin/stalelab.mjs', import.meta.url).pathname;
const base = { objective: 'quadratic', lr: 0.05, steps: 30, workers: 2 };

const sink = (append: (s: string) => void) =>
  Object.assign(new Writable({ write: (chunk, _enc, done) => (append(String(chunk)), done()) }), { isTTY: false }) as unknown as NodeJS.WriteStream;
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'stalelab', ...args], { out: sink((s) => (out += s)), err: sink((s) => (err += s)) });
  return { code, out, err };
}
const gridFile = (name: string, grid: unknown) => {
  const path = join(root, name);
  writeFileSync(path, JSON.stringify(grid));
  return path;
};

test('a grid key "__proto__" (or any key that is not a field path) is refused, not dropped', () => {
  // JSON.parse makes "__proto__" an own key, as a grid file would.
  const grid = JSON.parse('{"base": {"objective": "quadratic", "lr": 0.1, "steps": 5}, "vary": {"__proto__": [1, 2], "seed": [0]}}');
  assert.throws(() => expandGrid(grid), (e: Error) => e instanceof ConfigError && /grid\.vary\.__proto__: .*a field path/.test(e.message));
  const path = gridFile('proto.json', grid);
  assert.throws(() => loadGridFile(path), (e: Error) => e instanceof ConfigError && e.message.includes(`grid file ${path}.vary.__proto__`));
  assert.throws(() => expandGrid(JSON.parse('{"base": {}, "vary": {"rule.__proto__.x": [1]}}')), ConfigError);
});

test('a rerun reruns the runs whose saved files are damaged, with a warning naming each, and loads the rest', async () => {
  const grid = { base, vary: { seed: [1, 2, 3] } };
  const outDir = join(root, 'rerun');
  const first = await sweep(grid, { outDir });
  const ids = first.runs.array('run_id') as string[];
  truncateSync(join(outDir, ids[0], RUN_FILES.updates), 200);
  truncateSync(join(outDir, ids[2], RUN_FILES.record), 40);
  const warnings: string[] = [];
  const onWarning = (w: Error) => w.name === 'DamagedRunWarning' && warnings.push(w.message);
  process.on('warning', onWarning);
  let again;
  try {
    again = await sweep(grid, { outDir });
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(again.runs.array('loaded'), [false, true, false], 'the damaged runs ran again, the whole one was loaded');
  assert.equal(warnings.length, 2);
  assert.ok(warnings[0].includes(join(outDir, ids[0], RUN_FILES.updates)) && warnings[1].includes(join(outDir, ids[2], RUN_FILES.record)), warnings.join('\n'));
  assert.deepEqual(again.updates.array('loss'), first.updates.array('loss'), 'the rerun gives the same rows');
  const third = await sweep(grid, { outDir });
  assert.deepEqual(third.runs.array('loaded'), [true, true, true], 'the runs saved again are whole');
});

test("a sweep into an --out holding another grid's sweep is refused before any run, unless --overwrite", async () => {
  const out = join(root, 'other-grid');
  assert.equal((await cli('sweep', gridFile('a.json', { base, vary: { seed: [1, 2, 3] } }), '--out', out, '--no-progress')).code, 0);
  const before = readFileSync(join(out, 'runs.csv'), 'utf8');
  const other = gridFile('b.json', { base: { ...base, lr: 0.1 }, vary: { seed: [9] } });
  const refused = await cli('sweep', other, '--out', out, '--no-progress');
  assert.equal(refused.code, 2);
  assert.match(refused.err, /^stalelab: --out ".*other-grid": its runs\.csv lists 3 of 3 runs this grid does not have \(seed=1-[0-9a-f]{8}, .*\), so it holds another sweep; pass --overwrite/);
  assert.equal(refused.err.trimEnd().split('\n').length, 1);
  assert.equal(readFileSync(join(out, 'runs.csv'), 'utf8'), before, 'the tables are untouched');
  assert.equal(readdirSync(out).filter((f) => f.startsWith('seed=9')).length, 0, 'nothing ran');
  const grown = await cli('sweep', gridFile('a2.json', { base, vary: { seed: [1, 2, 3, 4] } }), '--out', out, '--no-progress');
  assert.equal(grown.code, 0, `a grown grid keeps every row and resumes: ${grown.err}`);
  assert.deepEqual(aq.fromCSV(readFileSync(join(out, 'runs.csv'), 'utf8')).array('loaded'), [true, true, true, false]);
  const over = await cli('sweep', other, '--out', out, '--no-progress', '--overwrite');
  assert.equal(over.code, 0, over.err);
  assert.equal(aq.fromCSV(readFileSync(join(out, 'runs.csv'), 'utf8')).numRows(), 1);
});

test('a write of the top-level tables cut off by the disk leaves the previous tables whole and no temp file (written atomically)', async () => {
  const out = join(root, 'cut-off');
  // Long enough runs that the sweep's updates.csv is several times any one run's largest file.
  const long = { ...base, steps: 400 };
  const small = gridFile('small.json', { base: long, vary: { seed: [1, 2, 3, 4, 5] } });
  assert.equal((await cli('sweep', small, '--out', out, '--no-progress')).code, 0);
  const before = Object.fromEntries(['runs.csv', 'updates.csv', 'evals.csv'].map((f) => [f, readFileSync(join(out, f))]));
  // A file-size limit (ulimit -f, 1 KiB blocks) that every run's own files fit under but the grown
  // updates.csv does not: the kernel refuses that write midway (EFBIG), as a full disk would.
  const runFiles = readdirSync(out).filter((d) => d.startsWith('seed=')).flatMap((d) => readdirSync(join(out, d)).map((f) => statSync(join(out, d, f)).size));
  const tables = ['runs.csv', 'runs.arrow', 'runs.parquet'].map((f) => statSync(join(out, f)).size);
  const limitBlocks = Math.ceil((Math.max(...runFiles, ...tables) * 1.5 + 1) / 1024);
  assert.ok(limitBlocks * 1024 < before['updates.csv'].length, `the limit (${limitBlocks} KiB) cuts updates.csv (${before['updates.csv'].length} bytes)`);
  const grown = gridFile('grown.json', { base: long, vary: { seed: [1, 2, 3, 4, 5, 6] } });
  const cut = await new Promise<{ code: number | null; err: string }>((resolve) => {
    const child = spawn('bash', ['-c', `ulimit -f ${limitBlocks}; exec "${process.execPath}" "${bin}" sweep "${grown}" --out "${out}" --no-progress`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('exit', (code) => resolve({ code, err }));
  });
  assert.equal(cut.code, 2, cut.err);
  assert.equal(cut.err.trimEnd().split('\n').length, 1, cut.err);
  assert.ok(cut.err.startsWith(`stalelab: cannot write ${join(out, 'updates.csv')}: `) && cut.err.includes('(EFBIG)'), cut.err);
  assert.deepEqual(readFileSync(join(out, 'updates.csv')), before['updates.csv'], 'updates.csv is the previous one, whole');
  assert.deepEqual(readFileSync(join(out, 'evals.csv')), before['evals.csv']);
  const runs = aq.fromCSV(readFileSync(join(out, 'runs.csv'), 'utf8'));
  assert.ok([5, 6].includes(runs.numRows()), 'runs.csv is a whole table (the old one or the new one)');
  assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.tmp')), [], 'the temp file of the failed write was removed');
  const resumed = await cli('sweep', grown, '--out', out, '--no-progress');
  assert.equal(resumed.code, 0, resumed.err);
  assert.deepEqual(aq.fromCSV(readFileSync(join(out, 'runs.csv'), 'utf8')).array('loaded'), [true, true, true, true, true, true], 'the run saved before the kill is kept');
  assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.tmp')), [], 'the temp file of the failed write was removed');
});
