/**
 * The data dictionary against what the engines really write: every column of the updates, evals,
 * summary and sweep runs tables of real sim (gamma and schedule timing, SSGD, look-ahead evals),
 * threads (lock, Hogwild!, Leashed-SGD), parameter-server and sweep runs is documented with the
 * right type and engines; every documented column is produced by one of them; and the committed
 * docs/DATA_DICTIONARY.md is the one rendered from the dictionary.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, test } from 'node:test';
import type { ColumnTable } from 'arquero';
import { columnInfo, DATA_DICTIONARY, renderDataDictionary, type ColumnInfo, type ColumnType, type EngineName } from '../../src/results/columnDictionary.ts';
import { runExperiment } from '../../src/run/runExperiment.ts';
import type { RunResult } from '../../src/run/runRecord.ts';
import { sweep, type SweepResult } from '../../src/sweep/sweep.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const base = { objective: 'quadratic', lr: 0.05, steps: 30, workers: 3, evalEvery: 10, evalSplits: ['train', 'test'] };
const CONFIGS: Record<string, Record<string, unknown>> = {
  'sim gamma': { ...base, timing: { kind: 'gamma', shape: 2 } },
  'sim schedule, look-ahead evals': { ...base, rule: 'dana-zero', timing: { kind: 'schedule', order: [0, 1, 2], repeat: true }, evalAt: 'both' },
  'sim ssgd': { ...base, rule: 'ssgd', timing: 'round-robin' },
  'threads lock': { ...base, engine: 'threads' },
  'threads hogwild': { ...base, engine: 'threads', sync: 'hogwild' },
  'threads leashed': { ...base, engine: 'threads', sync: 'leashed' },
  ps: { ...base, engine: 'ps', workers: 2 },
};
const GRID = { base: { objective: 'quadratic', lr: 0.05, steps: 20, evalEvery: 10 }, vary: { rule: ['asgd', 'ga'], workers: [1, 2], seed: [1, 2] } };

function typeOk(type: ColumnType, v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (type === 'integer') return typeof v === 'number' && (Number.isInteger(v) || !Number.isFinite(v));
  if (type === 'number') return typeof v === 'number';
  if (type === 'boolean') return typeof v === 'boolean';
  if (type === 'string') return typeof v === 'string';
  try {
    JSON.parse(v as string);
    return typeof v === 'string';
  } catch {
    return false;
  }
}

/** Problems of one produced column against its entry. */
function check(where: string, name: string, info: ColumnInfo | undefined, engine: EngineName | null, values: readonly unknown[]): string[] {
  if (!info) return [`${where}: column "${name}" is not in the data dictionary`];
  const problems: string[] = [];
  if (engine && info.engines && !info.engines.includes(engine)) problems.push(`${where}: "${name}" is written by ${engine}, but the dictionary says only ${info.engines.join(', ')}`);
  const bad = values.find((v) => !typeOk(info.type, v));
  if (bad !== undefined) problems.push(`${where}: "${name}" is declared ${info.type} but holds ${JSON.stringify(bad)}`);
  return problems;
}

const columnsOf = (t: ColumnTable) => t.columnNames().map((c) => [c, Array.from(t.array(c) as ArrayLike<unknown>)] as const);

describe('the data dictionary documents every column the engines and sweeps write', () => {
  const runs: Record<string, RunResult> = {};
  let swept: SweepResult;
  const seen = { updates: new Set<string>(), evals: new Set<string>(), summary: new Set<string>(), runs: new Set<string>() };
  before(async () => {
    for (const [name, config] of Object.entries(CONFIGS)) {
      runs[name] = await runExperiment(config);
      assert.equal(runs[name].record.status, 'finished', `${name}: ${runs[name].record.message}`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'stalelab-dictionary-'));
    try {
      swept = await sweep(GRID, { outDir: dir });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('runs of every engine: updates, evals and summary columns are documented, typed and attributed right', () => {
    const problems: string[] = [];
    for (const [name, r] of Object.entries(runs)) {
      const engine = r.record.engine as EngineName;
      for (const kind of ['updates', 'evals'] as const) {
        for (const [c, values] of columnsOf(r[kind])) {
          seen[kind].add(c);
          problems.push(...check(`${name} ${kind}`, c, DATA_DICTIONARY[kind].columns[c], engine, values));
        }
      }
      for (const [c, v] of Object.entries(r.record.summary ?? {})) {
        seen.summary.add(c);
        problems.push(...check(`${name} summary`, c, DATA_DICTIONARY.summary.columns[c], engine, [v]));
      }
    }
    assert.deepEqual(problems, []);
  });

  test("a sweep's runs, updates and evals: its own columns, the swept fields and the runs' columns", () => {
    const problems: string[] = [];
    const sweptFields = new Set(Object.keys(GRID.vary));
    for (const kind of ['runs', 'updates', 'evals'] as const) {
      for (const [c, values] of columnsOf(swept[kind])) {
        if (sweptFields.has(c) && !(kind === 'runs' && columnInfo('runs', c))) continue;
        if (kind === 'runs') seen.runs.add(c);
        problems.push(...check(`sweep ${kind}`, c, columnInfo(kind, c), null, values));
      }
    }
    assert.deepEqual(problems, []);
    assert.equal(swept.runs.numRows(), 8);
  });

  test('every documented column is written by one of these runs (no stale entry)', () => {
    for (const kind of ['updates', 'evals', 'summary'] as const) {
      const unused = Object.keys(DATA_DICTIONARY[kind].columns).filter((c) => !seen[kind].has(c));
      assert.deepEqual(unused, [], `${kind}: documented but not written by any run here`);
    }
    assert.deepEqual(Object.keys(DATA_DICTIONARY.runs.columns).filter((c) => !seen.runs.has(c)), []);
  });
});

test('docs/DATA_DICTIONARY.md is the one rendered from the dictionary (run npx tsx scripts/data-dictionary.ts)', () => {
  const committed = readFileSync(join(ROOT, 'docs', 'DATA_DICTIONARY.md'), 'utf8');
  assert.equal(committed, renderDataDictionary());
  for (const [name, t] of Object.entries(DATA_DICTIONARY)) {
    assert.ok(committed.includes(`## ${name}`));
    for (const c of Object.keys(t.columns)) assert.ok(committed.includes(`| \`${c}\` |`), `${name}.${c} is in the rendered file`);
  }
});
