/**
 * Reliability probes (issue 17): bad inputs through the library and the CLI, random SIGKILLs of a
 * small sweep, and corrupt dataset files. Writes DIR/cases.csv (one row per case) and
 * DIR/summary.md (the counts, the machine, the date).
 *
 *   nice -n 10 npx tsx experiments/reliabilityProbes.ts --out experiments/results/reliability-2026-12-01
 *   options: --kills N (default 10), --seed S (default 17), --no-cli-children
 */
import { spawn } from 'node:child_process';
import { realpathSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as aq from 'arquero';
import { main } from '../src/cli/main.ts';
import { ConfigError } from '../src/config/validate.ts';
import { CIFAR10_RECORD_BYTES, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, loadCifar10Bytes } from '../src/data/cifar10.ts';
import { syntheticCifarBatch } from '../test/data/cifarFixture.ts';
import { buildFashionMnistBytes } from '../src/data/fashionMnist.ts';
import { fashionMnistJsonDir } from '../src/data/fashionMnistJson.ts';
import { loadMnistBytes, mnistDataDir } from '../src/data/mnist.ts';
import { writeAtomic } from '../src/results/atomicWrite.ts';
import { verifySavedRun } from '../src/results/runDir.ts';
import { ENGINES } from '../src/run/engines.ts';
import { parseRunConfig } from '../src/run/parseRunConfig.ts';
import { runExperiment } from '../src/run/runExperiment.ts';
import { makeRng } from '../src/rng/rng.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'stalelab.mjs');
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const OUT = flag('--out', '');
if (!OUT) throw new Error('usage: npx tsx experiments/reliabilityProbes.ts --out DIR');
const KILLS = Number(flag('--kills', '10'));
const rng = makeRng(Number(flag('--seed', '17')));
const CASE_TIMEOUT_MS = 60_000;
const scratch = mkdtempSync(join(os.tmpdir(), 'stalelab-probes-'));
const t0 = Date.now();

interface CaseRow {
  part: 'config' | 'sigkill' | 'data';
  via: string;
  engine: string;
  field: string;
  mutation: string;
  verdict: string;
  detail: string;
}
const rows: CaseRow[] = [];
const log = (s: string) => process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${s}\n`);
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 300);

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout;
  return Promise.race([p.finally(() => clearTimeout(timer)), new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)))]);
}

// ---------------------------------------------------------------- bad configs
type Json = unknown;
interface ZodLike { _zod: { def: { type: string; innerType?: ZodLike; entries?: Record<string, string>; options?: ZodLike[]; in?: ZodLike } }; shape?: Record<string, ZodLike> }

/** The zod kind of a field, through default/optional/nullable wrappers. */
function kindOf(s: ZodLike): { type: string; entries?: string[] } {
  let d = s._zod.def;
  while (['default', 'optional', 'nullable', 'prefault', 'catch', 'readonly'].includes(d.type) && d.innerType) d = d.innerType._zod.def;
  if (d.type === 'pipe' && d.in) return kindOf(d.in);
  return { type: d.type, entries: d.entries ? Object.values(d.entries) : undefined };
}

const BASE: Record<string, Record<string, Json>> = {
  sim: { engine: 'sim', objective: { name: 'quadratic', dim: 4 }, lr: 0.05, steps: 3, workers: 2 },
  threads: { engine: 'threads', objective: { name: 'quadratic', dim: 4 }, lr: 0.05, steps: 3, workers: 2 },
  ps: { engine: 'ps', objective: { name: 'quadratic', dim: 4 }, lr: 0.05, steps: 3, workers: 2 },
};

/** Values that are wrong for a field of this kind (some are right for some fields: those runs are "accepted" and listed). */
function mutationsFor(kind: { type: string; entries?: string[] }): [string, Json][] {
  const wrongType: [string, Json][] = [['an array', [1]], ['an object', { bogus: 1 }], ['null', null]];
  switch (kind.type) {
    case 'number':
      return [['a string', 'fast'], ['a boolean', true], ['negative', -1], ['zero', 0], ['huge', 1e13], ['fractional', 0.5], ...wrongType];
    case 'string':
      return [['a number', 42], ['empty', ''], ...wrongType];
    case 'enum':
      return [['a bad enum value', 'bogus-value'], ['a number', 42], ['another case', (kind.entries?.[0] ?? 'x').toUpperCase()], ...wrongType];
    case 'boolean':
      return [['a string', 'yes'], ['a number', 1], ...wrongType];
    case 'literal':
      return [['a bad value', 'bogus-value'], ['a number', 42]];
    default:
      return [['a bad name', 'bogus-name'], ['a number', 42], ['a boolean', true], ...wrongType];
  }
}

/** Unknown fields and values out of range inside nested objects, and the cases the issue named. */
function nestedCases(engine: string): [string, string, Json][] {
  const b = BASE[engine];
  const cases: [string, string, Json][] = [
    ['(top level)', 'an unknown field', { ...b, bogusField: 1 }],
    ['(top level)', 'a misspelt field', { ...b, learningRate: 0.1 }],
    ['engine', 'a bad engine', { ...b, engine: 'bogus-engine' }],
    ['objective', 'an unknown nested field', { ...b, objective: { name: 'quadratic', dim: 4, bogus: 1 } }],
    ['objective', 'a bad objective name', { ...b, objective: { name: 'cubic', dim: 4 } }],
    ['objective', 'hMax < hMin', { ...b, objective: { name: 'quadratic', dim: 4, hMin: 2, hMax: 1 } }],
    ['objective', 'dim 0', { ...b, objective: { name: 'quadratic', dim: 0 } }],
    ['objective', 'negative noise', { ...b, objective: { name: 'quadratic', dim: 4, noise: -1 } }],
    ['objective', 'failing objective in a worker the run lacks', { ...b, objective: { name: 'failing', dim: 4, worker: 5, afterGradients: 1 } }],
    ['rule', 'an unknown rule', { ...b, rule: 'sgdd' }],
    ['rule', 'an unknown transform', { ...b, rule: { base: 'sgd', transforms: [{ name: 'bogus-transform' }] } }],
    ['rule', 'an unknown rule parameter', { ...b, rule: { name: 'dana-zero', bogus: 1 } }],
    ['lrSchedule', 'an unknown schedule', { ...b, lrSchedule: 'bogus-schedule' }],
    ['lrSchedule', 'an unknown schedule field', { ...b, lrSchedule: { kind: 'step', bogus: 1 } }],
    ['target', 'an unknown metric', { ...b, target: { metric: 'bogus', value: 1 } }],
    ['target', 'accuracy on an objective', { ...b, target: { metric: 'test_accuracy', value: 0.9 } }],
    ['steps', 'steps and epochs', { ...b, epochs: 1 }],
    ['divergeLoss', 'a bad bound', { ...b, divergeLoss: 'sometimes' }],
    ['divergeLoss', 'a negative bound', { ...b, divergeLoss: -5 }],
    ['oracleOptions', 'oracleOptions on an objective', { ...b, oracleOptions: { evalBatchSize: 10 } }],
    ['oracleOptions', 'an unknown oracleOptions field', { engine, model: 'logreg', dataset: { name: 'mnist', trainSize: 100, testSize: 100 }, lr: 0.05, steps: 3, workers: 2, oracleOptions: { bogus: 1 } }],
    ['batchSize', 'batch larger than the training set', { engine, model: 'logreg', dataset: { name: 'mnist', trainSize: 100, testSize: 100 }, lr: 0.05, steps: 3, workers: 2, batchSize: 101 }],
    ['dataset', 'an unknown dataset', { engine, model: 'logreg', dataset: 'imagenet', lr: 0.05, steps: 3 }],
    ['dataset', 'an unknown dataset field', { engine, model: 'logreg', dataset: { name: 'mnist', bogus: 1 }, lr: 0.05, steps: 3 }],
    ['dataset', 'a missing CIFAR-10 folder', { engine, model: 'logreg', dataset: { name: 'cifar10', dir: join(scratch, 'no-such-cifar') }, lr: 0.05, steps: 3 }],
    ['model', 'an unknown model', { engine, model: 'mlpp', dataset: { name: 'mnist', trainSize: 100, testSize: 100 }, lr: 0.05, steps: 3 }],
    ['model', 'a model without a dataset', { engine, model: 'logreg', lr: 0.05, steps: 3 }],
  ];
  if (engine === 'sim') {
    cases.push(['timing', 'an unknown timing', { ...b, timing: 'bogus-timing' }], ['timing', 'an unknown timing field', { ...b, timing: { kind: 'gamma', bogus: 1 } }], ['timing', 'a schedule naming a missing worker', { ...b, timing: { kind: 'schedule', order: [0, 7] } }]);
  }
  if (engine === 'threads') cases.push(['persistence', 'persistence without leashed', { ...b, persistence: 2 }], ['workers', 'more threads than the engine runs', { ...b, workers: 500 }]);
  if (engine === 'ps') cases.push(['straggler', 'a straggler the run lacks', { ...b, straggler: { worker: 9, factor: 2 } }], ['listen', 'a bad listen address', { ...b, listen: '' }]);
  return cases;
}

function allConfigCases(): { engine: string; field: string; mutation: string; config: Json; run: boolean }[] {
  const out: { engine: string; field: string; mutation: string; config: Json; run: boolean }[] = [];
  for (const engine of Object.keys(BASE)) {
    const shape = (ENGINES[engine as keyof typeof ENGINES].configSchema as unknown as ZodLike).shape ?? {};
    for (const [field, schema] of Object.entries(shape)) {
      if (field === 'engine') continue;
      for (const [mutation, value] of mutationsFor(kindOf(schema))) out.push({ engine, field, mutation, config: { ...BASE[engine], [field]: value }, run: engine === 'sim' });
    }
    for (const [field, mutation, config] of nestedCases(engine)) out.push({ engine, field, mutation, config, run: true });
  }
  return out;
}

const hasStack = (s: string) => /\n\s+at \S/.test(s);
/** Whether an error message names the field (its dotted path, or its name), or the file or folder it gave. */
const namesField = (message: string, field: string) => (field === '(top level)' ? /bogusField|learningRate/.test(message) : message.includes(field) || message.includes(scratch));

async function libraryCase(field: string, config: Json, run: boolean): Promise<{ verdict: string; detail: string }> {
  try {
    if (!run) {
      // Validation only: the engine would start worker threads or processes for each accepted config.
      await parseRunConfig(config);
      return { verdict: 'accepted', detail: 'validated (not run)' };
    }
    const r = await withTimeout(runExperiment(config), CASE_TIMEOUT_MS);
    if (r === 'timeout') return { verdict: 'hang', detail: `no answer in ${CASE_TIMEOUT_MS / 1000} s` };
    const losses = r.updates.columnNames().includes('loss') ? (r.updates.array('loss') as number[]) : [];
    if (losses.some((l) => typeof l === 'number' && Number.isNaN(l))) return { verdict: 'nan_table', detail: r.record.status };
    return { verdict: 'accepted', detail: `ran: ${r.record.status}${r.record.message ? ` (${oneLine(r.record.message)})` : ''}` };
  } catch (e) {
    const err = e as Error;
    if (!(err instanceof ConfigError)) return { verdict: 'unclear_crash', detail: `${err?.constructor?.name}: ${oneLine(String(err?.message))}` };
    return { verdict: namesField(err.message, field) ? 'clear' : 'unclear_message', detail: oneLine(err.message) };
  }
}

const sink = (append: (s: string) => void) =>
  Object.assign(new Writable({ write: (chunk, _enc, done) => (append(String(chunk)), done()) }), { isTTY: false }) as unknown as NodeJS.WriteStream;

function cliVerdict(field: string, code: number | null, err: string): { verdict: string; detail: string } {
  if (code === null) return { verdict: 'hang', detail: `no exit in ${CASE_TIMEOUT_MS / 1000} s` };
  if (code === 0) return { verdict: 'accepted', detail: 'exit 0' };
  if (code !== 2) return { verdict: 'unclear_exit', detail: `exit ${code}: ${oneLine(err)}` };
  if (hasStack(err)) return { verdict: 'unclear_stack', detail: oneLine(err) };
  if (!err.startsWith('stalelab: ')) return { verdict: 'unclear_message', detail: oneLine(err) };
  return { verdict: namesField(err, field) ? 'clear' : 'unclear_message', detail: oneLine(err) };
}

/** The CLI in this process (main() is what bin/stalelab.mjs runs): `run --config FILE`. */
async function cliCase(k: number, field: string, config: Json): Promise<{ verdict: string; detail: string }> {
  const file = join(scratch, `config-${k}.json`);
  writeFileSync(file, JSON.stringify(config));
  let err = '';
  const code = await withTimeout(main(['node', 'stalelab', 'run', '--config', file, '--no-progress', '--out', join(scratch, `cli-out-${k}`)], { out: sink(() => {}), err: sink((s) => (err += s)) }), CASE_TIMEOUT_MS);
  return cliVerdict(field, code === 'timeout' ? null : code, err);
}

/** The CLI as a real child process. */
function cliChild(k: number, field: string, config: Json): Promise<{ verdict: string; detail: string }> {
  const file = join(scratch, `child-config-${k}.json`);
  writeFileSync(file, JSON.stringify(config));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'run', '--config', file, '--no-progress', '--out', join(scratch, `child-out-${k}`)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), CASE_TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(cliVerdict(field, code, err));
    });
  });
}

async function configProbes(): Promise<void> {
  const cases = allConfigCases();
  log(`config: ${cases.length} cases per path`);
  const childEvery = args.includes('--no-cli-children') ? Infinity : 25;
  for (let k = 0; k < cases.length; k++) {
    const c = cases[k];
    const lib = await libraryCase(c.field, c.config, c.run);
    rows.push({ part: 'config', via: 'library', engine: c.engine, field: c.field, mutation: c.mutation, ...lib });
    // A config the library ran is valid: the CLI would only run it again.
    if (lib.verdict === 'accepted') continue;
    rows.push({ part: 'config', via: 'cli', engine: c.engine, field: c.field, mutation: c.mutation, ...(await cliCase(k, c.field, c.config)) });
    if (k % 50 === 0) log(`config: case ${k}`);
    if (k % childEvery === 0) rows.push({ part: 'config', via: 'cli-process', engine: c.engine, field: c.field, mutation: c.mutation, ...(await cliChild(k, c.field, c.config)) });
  }
}

// ---------------------------------------------------------------- SIGKILLs of a sweep
const SWEEP_GRID = { base: { objective: { name: 'quadratic', dim: 50 }, lr: 0.05, steps: 1500, workers: 4, evalEvery: 500 }, vary: { rule: ['asgd', 'dana-zero'], seed: [1, 2, 3, 4] } };
const TABLES = ['updates.csv', 'evals.csv', 'runs.csv'];
/** runs.csv columns that differ between two sweeps of one grid (timing, and whether a run was loaded). */
const VOLATILE = ['loaded', 'wall_time_sec', 'updates_per_sec'];

function sweepChild(out: string, killAfterMs: number | null): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'sweep', join(scratch, 'grid.json'), '--out', out, '--no-progress'], { stdio: 'ignore' });
    const timer = killAfterMs === null ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

const runDirs = (out: string) => (existsSync(out) ? readdirSync(out).filter((d) => statSync(join(out, d)).isDirectory()) : []);
const startedAt = (dir: string): string | null => {
  try {
    return (JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { startedAt: string }).startedAt;
  } catch {
    return null;
  }
};
const stableRuns = (csv: string) => {
  const t = aq.fromCSV(csv, { autoType: false });
  return t.select(t.columnNames().filter((c) => !VOLATILE.includes(c))).toCSV();
};

async function sigkillProbes(): Promise<Record<string, number | string>> {
  writeFileSync(join(scratch, 'grid.json'), JSON.stringify(SWEEP_GRID));
  const ref = join(scratch, 'sweep-ref');
  const t = Date.now();
  const done = await sweepChild(ref, null);
  const refMs = Date.now() - t;
  if (done.code !== 0) throw new Error(`the reference sweep failed: ${JSON.stringify(done)}`);
  log(`sigkill: reference sweep of ${runDirs(ref).length} runs in ${(refMs / 1000).toFixed(1)} s`);
  const out = join(scratch, 'sweep-killed');
  const saved = new Map<string, string>();
  let lost = 0;
  let damaged = 0;
  let killsDuringTables = 0;
  for (let i = 0; i < KILLS; i++) {
    // A uniform moment within one uninterrupted sweep's time (start-up included).
    const at = Math.round(300 + rng.uniform() * refMs);
    const r = await sweepChild(out, at);
    const killed = r.signal === 'SIGKILL';
    for (const d of runDirs(out)) {
      const verdict = verifySavedRun(join(out, d));
      const s = startedAt(join(out, d));
      if (!verdict.ok) {
        if (existsSync(join(out, d, 'run.json'))) damaged++;
        continue;
      }
      const before = saved.get(d);
      if (before !== undefined && before !== s) lost++;
      saved.set(d, s!);
    }
    if (killed && existsSync(join(out, 'runs.csv')) && runDirs(out).length === runDirs(ref).length) killsDuringTables++;
    rows.push({ part: 'sigkill', via: 'cli-process', engine: 'sim', field: 'sweep', mutation: `SIGKILL after ${at} ms`, verdict: killed ? 'killed' : `exited ${r.code}`, detail: `${saved.size} runs saved and verified` });
  }
  const final = await sweepChild(out, null);
  for (const d of runDirs(out)) {
    const before = saved.get(d);
    if (before !== undefined && before !== startedAt(join(out, d))) lost++;
  }
  const equal: Record<string, boolean> = {};
  for (const f of TABLES) {
    const a = readFileSync(join(ref, f), 'utf8');
    const b = readFileSync(join(out, f), 'utf8');
    equal[f] = f === 'runs.csv' ? stableRuns(a) === stableRuns(b) : a === b;
  }
  const leftovers = readdirSync(out).filter((f) => f.endsWith('.tmp')).length + runDirs(out).reduce((n, d) => n + readdirSync(join(out, d)).filter((f) => f.endsWith('.tmp')).length, 0);
  const summary = {
    kills: KILLS,
    runs: runDirs(ref).length,
    reference_sec: +(refMs / 1000).toFixed(1),
    final_exit: final.code ?? -1,
    runs_lost: lost,
    damaged_run_json_seen: damaged,
    kills_after_all_runs_saved: killsDuringTables,
    updates_csv_equal: String(equal['updates.csv']),
    evals_csv_equal: String(equal['evals.csv']),
    runs_csv_equal_but_timing: String(equal['runs.csv']),
    temp_files_left: leftovers,
  };
  rows.push({ part: 'sigkill', via: 'cli-process', engine: 'sim', field: 'sweep', mutation: 'final uninterrupted rerun', verdict: final.code === 0 ? 'finished' : `exit ${final.code}`, detail: JSON.stringify(summary) });
  return summary;
}

// ---------------------------------------------------------------- corrupt data files
type Damage = [string, (file: string, dir: string, files: readonly string[]) => void];
const DAMAGES: Damage[] = [
  ['truncated inside a record', (f) => truncateSync(f, Math.floor(statSync(f).size * 0.6) + 7)],
  ['empty', (f) => truncateSync(f, 0)],
  ['doubled', (f) => writeFileSync(f, Buffer.concat([readFileSync(f), readFileSync(f)]))],
  ['a directory in its place', (f) => (rmSync(f), mkdirSync(f))],
  ['missing', (f) => rmSync(f)],
  ['a copy of another file', (f, dir, files) => cpSync(realpathSync(join(dir, files.find((o) => join(dir, o) !== f)!)), f)],
];

async function dataCase(dataset: string, file: string, damage: string, load: () => Promise<{ partial?: boolean; train: { size: number }; test: { size: number } }>): Promise<void> {
  let verdict: string;
  let detail: string;
  try {
    const set = await load();
    verdict = set.partial ? 'loaded_partial' : 'silent_load';
    detail = `train ${set.train.size}, test ${set.test.size}`;
  } catch (e) {
    const err = e as Error;
    const clear = err instanceof ConfigError && err.message.includes(file);
    verdict = clear ? 'clear' : 'unclear';
    detail = `${err.constructor.name}: ${oneLine(err.message)}`;
  }
  rows.push({ part: 'data', via: 'library', engine: '-', field: `${dataset} ${file}`, mutation: damage, verdict, detail });
}

/** A copy of `source`: symlinks to its files, except `file`, copied and damaged. */
function damagedCopy(source: string, files: readonly string[], file: string, damage: Damage[1], tag: string): string {
  const dir = join(scratch, tag);
  mkdirSync(dir, { recursive: true });
  for (const f of files) {
    if (f === file) cpSync(join(source, f), join(dir, f));
    else symlinkSync(join(source, f), join(dir, f));
  }
  damage(join(dir, file), dir, files);
  return dir;
}

async function dataProbes(): Promise<void> {
  const cifarFiles = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE];
  const cifar = join(scratch, 'cifar-full');
  mkdirSync(cifar);
  cifarFiles.forEach((f, b) => writeFileSync(join(cifar, f), syntheticCifarBatch(b)));
  const cifarDamages: Damage[] = [...DAMAGES, ['cut at a record boundary', (f) => truncateSync(f, 4000 * CIFAR10_RECORD_BYTES)], ['one record', (f) => truncateSync(f, CIFAR10_RECORD_BYTES)]];
  for (const file of ['data_batch_1.bin', 'data_batch_5.bin', CIFAR10_TEST_FILE]) {
    for (const [name, damage] of cifarDamages) {
      const dir = damagedCopy(cifar, cifarFiles, file, damage, `cifar-${file}-${name.replace(/\W+/g, '-')}`);
      await dataCase('CIFAR-10', file, name, () => loadCifar10Bytes(dir));
      rmSync(dir, { recursive: true, force: true });
    }
  }
  log('data: CIFAR-10 done');
  const mnistSrc = mnistDataDir();
  const mnistFiles = readdirSync(mnistSrc).filter((f) => f.includes('idx'));
  const mnistDamages: Damage[] = [...DAMAGES, ['fewer records (header says so)', (f) => {
    // A consistent IDX file with 1,000 fewer items: its count field and length agree.
    const bytes = readFileSync(f);
    const dims = bytes[3];
    const n = bytes.readUInt32BE(4);
    const item = dims === 1 ? 1 : bytes.readUInt32BE(8) * bytes.readUInt32BE(12);
    const header = 4 + 4 * dims;
    const cut = Buffer.from(bytes.subarray(0, header + (n - 1000) * item));
    cut.writeUInt32BE(n - 1000, 4);
    writeFileSync(f, cut);
  }]];
  for (const file of mnistFiles) {
    for (const [name, damage] of mnistDamages) {
      const dir = damagedCopy(mnistSrc, mnistFiles, file, damage, `mnist-${file}-${name.replace(/\W+/g, '-')}`);
      await dataCase('MNIST', file, name, () => loadMnistBytes(dir));
      rmSync(dir, { recursive: true, force: true });
    }
  }
  log('data: MNIST done');
  const fashionSrc = fashionMnistJsonDir();
  const fashionFiles = readdirSync(fashionSrc).filter((f) => f.endsWith('.json'));
  const fashionDamages: Damage[] = [...DAMAGES, ['2,000 of 7,000 images', (f) => {
    const json = JSON.parse(readFileSync(f, 'utf8')) as { data: unknown[] };
    writeFileSync(f, JSON.stringify({ ...json, data: json.data.slice(0, 2000) }));
  }]];
  for (const file of ['0.json', '9.json']) {
    for (const [name, damage] of fashionDamages) {
      const dir = damagedCopy(fashionSrc, fashionFiles, file, damage, `fashion-${file}-${name.replace(/\W+/g, '-')}`);
      await dataCase('Fashion-MNIST', file, name, () => buildFashionMnistBytes(dir));
      rmSync(dir, { recursive: true, force: true });
    }
  }
  log('data: Fashion-MNIST done');
}

// ---------------------------------------------------------------- report
const count = (pred: (r: CaseRow) => boolean) => rows.filter(pred).length;

async function probe(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  try {
    await configProbes();
    log('config done');
    const kills = await sigkillProbes();
    log('sigkill done');
    await dataProbes();
    const cfg = (via: string, v?: string) => count((r) => r.part === 'config' && r.via === via && (v === undefined || r.verdict === v));
    const unclear = (via: string) => count((r) => r.part === 'config' && r.via === via && r.verdict.startsWith('unclear'));
    const data = (v?: string) => count((r) => r.part === 'data' && (v === undefined || r.verdict === v));
    const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.versions.node}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end (shared with other jobs)`;
    const lines = [
      `# Reliability probes, ${new Date().toISOString().slice(0, 10)}`,
      '',
      `Machine: ${machine}. Total time ${((Date.now() - t0) / 1000).toFixed(0)} s.`,
      `Command: \`nice -n 10 npx tsx experiments/reliabilityProbes.ts --out ${OUT}\` (every case in cases.csv).`,
      '',
      '## Bad inputs (generated from each engine\'s config schema: wrong types, out-of-range values, unknown fields, bad enums; plus nested and cross-field cases)',
      '',
      '| path | tried | clear error | unclear | no answer in 60 s | NaN table | accepted (a valid value) |',
      '|:-|-:|-:|-:|-:|-:|-:|',
      ...['library', 'cli', 'cli-process'].map((via) => `| ${via} | ${cfg(via)} | ${cfg(via, 'clear')} | ${unclear(via)} | ${cfg(via, 'hang')} | ${cfg(via, 'nan_table')} | ${cfg(via, 'accepted')} |`),
      '',
      'Clear: a ConfigError naming the field (library; threads and ps schema mutations are validated, not run, and the cross-field cases are run on every engine); exit 2, one `stalelab: …` message naming the field, no stack trace (CLI, in this process through main() and as a real child process for every 25th case). The CLI is tried only on the cases the library refused (an accepted config would just run again).',
      '',
      ...(rows.filter((r) => r.part === 'config' && r.verdict === 'hang').length
        ? ['No answer within the per-case timeout:', '', ...rows.filter((r) => r.part === 'config' && r.verdict === 'hang').map((r) => `- ${r.via} ${r.engine} ${r.field} = ${JSON.stringify(r.mutation)}: ${r.detail}`), '']
        : []),
      ...(rows.filter((r) => r.part === 'config' && r.verdict.startsWith('unclear')).length
        ? ['Unclear cases:', '', ...rows.filter((r) => r.part === 'config' && r.verdict.startsWith('unclear')).map((r) => `- ${r.via} ${r.engine} ${r.field} (${r.mutation}): ${r.verdict}: ${r.detail}`), '']
        : []),
      '## SIGKILLs of a sweep',
      '',
      `Grid: ${JSON.stringify(SWEEP_GRID)} (sim engine, quadratic objective), run as \`stalelab sweep\` child processes; each try is SIGKILLed at a uniform random moment within one uninterrupted sweep's time, then a last uninterrupted rerun completes it.`,
      '',
      '| figure | value |',
      '|:-|-:|',
      ...Object.entries(kills).map(([k, v]) => `| ${k} | ${v} |`),
      '',
      'runs_lost: a run saved and verified after one kill whose run.json changed later (recomputed). Tables compared with an uninterrupted sweep of the same grid: updates.csv and evals.csv byte for byte, runs.csv without its timing columns and `loaded`.',
      '',
      '## Corrupt dataset files (temporary copies; CIFAR-10 synthetic full-size batches, MNIST and Fashion-MNIST copied from their packages)',
      '',
      `| tried | clear error naming the file | unclear | silent load | loaded as partial |`,
      '|-:|-:|-:|-:|-:|',
      `| ${data()} | ${data('clear')} | ${data('unclear')} | ${data('silent_load')} | ${data('loaded_partial')} |`,
      '',
      ...(rows.filter((r) => r.part === 'data' && r.verdict !== 'clear').length ? ['Not clear:', '', ...rows.filter((r) => r.part === 'data' && r.verdict !== 'clear').map((r) => `- ${r.field} ${r.mutation}: ${r.verdict}: ${r.detail}`), ''] : []),
    ];
    writeAtomic(join(OUT, 'cases.csv'), aq.from(rows).toCSV());
    writeAtomic(join(OUT, 'summary.md'), lines.join('\n') + '\n');
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await probe();
// Threads and ps runs leave no handles, but a probe that hung may: do not wait for it.
process.exit(0);
