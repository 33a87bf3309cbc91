import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { machineRecord, sourceRevision, stalelabVersion } from '../run/provenance.ts';
import type { RunRecord } from '../run/runRecord.ts';
import { writeAtomic } from './atomicWrite.ts';
import { FileError } from './fileError.ts';
import { ensureDir } from './outputDir.ts';

/**
 * A sweep recorded for others to read without rerunning it (experiments/results/<name>/): its runs
 * table, its evaluations, its staleness counts, the grid and where and when the runs ran. Small
 * enough to commit; the per-update tables stay in the sweep's own directory.
 */
export const RECORDED_FILES = {
  runs: 'runs.csv',
  evals: 'evals.csv',
  staleness: 'staleness_histogram.csv',
  grid: 'grid.json',
  /** Written last: a directory with meta.json is complete. */
  meta: 'meta.json',
} as const;

/** A grid entry that had no saved run when the sweep was recorded. */
export interface MissingRun {
  index: number;
  runId: string;
  values: Record<string, unknown>;
}

export interface RecordedSweepMeta {
  /** The commit the runs ran from (their records' git_commit; the one most runs name when they differ). */
  commit: string | null;
  /** Whether that checkout had uncommitted changes (git_dirty of the same runs). */
  dirty: boolean | null;
  /** Every commit the runs name, with how many runs each. */
  commits: { commit: string | null; dirty: boolean | null; runs: number }[];
  /** When the directory was recorded (ISO 8601). */
  date: string;
  /** The earliest and latest start of a recorded run. */
  runsStarted: { first: string | null; last: string | null };
  /**
   * The machine the runs ran on (their records'; this machine's where they name none). `loadavg`
   * (1, 5, 15 min) is read when recording: right after a sweep, the 15-minute figure shows how
   * loaded the machine was while it ran.
   */
  machine: { cpu: string; cores: number; memoryGiB: number | null; platform: string | null; loadavg: number[] };
  /** The stalelab and checkout that wrote this directory. */
  recordedBy: { stalelab: string; commit: string | null; dirty: boolean | null };
  /** The grid file and sweep directory, as given to the recorder. */
  source: { grid: string; sweepDir: string };
  /** Runs recorded, and runs the grid has. */
  runs: number;
  expected: number;
  missingRuns: MissingRun[];
  /** Runs per status (finished, diverged, …). */
  statuses: Record<string, number>;
  /** Runs per backend. */
  backends: Record<string, number>;
  wallTimeSec: { total: number; medianPerRun: number | null };
  /** What the recorder noticed (runs matched by swept values, saved runs outside the grid). */
  notes: string[];
}

export interface RecordedSweepParts {
  /** sweep().runs (or collectGrid's): one row per run. */
  runs: ColumnTable;
  evals: ColumnTable;
  /** Per-update rows with a `staleness` column, counted into staleness_histogram.csv by `histogramBy` and staleness. */
  updates: ColumnTable;
  records: readonly RunRecord[];
  missing: readonly MissingRun[];
  grid: unknown;
  /** Swept fields to count staleness by (seeds are summed). */
  histogramBy: readonly string[];
  source: { grid: string; sweepDir: string };
  notes?: readonly string[];
}

const median = (xs: readonly number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function tally<T>(xs: readonly T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

/** The provenance of a set of runs: their commit(s), machine, times (meta.json without the counts of the tables). */
export function recordedSweepMeta(parts: Pick<RecordedSweepParts, 'records' | 'missing' | 'source' | 'notes'>): RecordedSweepMeta {
  const { records } = parts;
  const commitOf = (r: RunRecord) => ({ commit: r.versions?.git_commit ?? null, dirty: r.versions?.git_dirty === undefined ? null : r.versions.git_dirty === 'true' });
  const byCommit = new Map<string, { commit: string | null; dirty: boolean | null; runs: number }>();
  for (const r of records) {
    const c = commitOf(r);
    const key = JSON.stringify(c);
    const entry = byCommit.get(key) ?? { ...c, runs: 0 };
    entry.runs++;
    byCommit.set(key, entry);
  }
  const commits = [...byCommit.values()].sort((a, b) => b.runs - a.runs);
  const here = machineRecord();
  const ran = records.find((r) => r.machine)?.machine;
  const started = records.map((r) => r.startedAt).filter((s): s is string => typeof s === 'string').sort();
  const walls = records.map((r) => r.wallTimeSec).filter((w): w is number => typeof w === 'number' && Number.isFinite(w));
  const rev = sourceRevision();
  return {
    commit: commits[0]?.commit ?? null,
    dirty: commits[0]?.dirty ?? null,
    commits,
    date: new Date().toISOString(),
    runsStarted: { first: started[0] ?? null, last: started.at(-1) ?? null },
    machine: {
      cpu: ran?.cpu ?? here.cpu,
      cores: ran?.cores ?? here.cores,
      memoryGiB: ran?.memoryGiB ?? here.memoryGiB,
      platform: ran?.platform ?? here.platform,
      loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    },
    recordedBy: { stalelab: stalelabVersion(), commit: rev?.commit ?? null, dirty: rev?.dirty ?? null },
    source: parts.source,
    runs: records.length,
    expected: records.length + parts.missing.length,
    missingRuns: [...parts.missing],
    statuses: tally(records, (r) => r.status),
    backends: tally(records, (r) => r.backend ?? 'unknown'),
    wallTimeSec: { total: walls.reduce((a, b) => a + b, 0), medianPerRun: median(walls) },
    notes: [...(parts.notes ?? [])],
  };
}

/** Staleness counts per `by` fields (seeds and updates summed): the histogram of every run without its update rows. */
export function stalenessCounts(updates: ColumnTable, by: readonly string[]): ColumnTable {
  const keys = by.filter((c) => updates.columnNames().includes(c));
  if (!updates.columnNames().includes('staleness')) return aq.table({ ...Object.fromEntries(keys.map((k) => [k, []])), staleness: [], count: [] });
  return updates
    .filter(aq.escape((d: { staleness: unknown }) => typeof d.staleness === 'number' && Number.isFinite(d.staleness)))
    .groupby(...keys, 'staleness')
    .count({ as: 'count' })
    .orderby(...keys, 'staleness');
}

/**
 * Write a recorded sweep to `dir`: runs.csv, evals.csv, staleness_histogram.csv, grid.json, then
 * meta.json, each atomically. Returns the meta written.
 */
export function writeRecordedSweep(dir: string, parts: RecordedSweepParts): RecordedSweepMeta {
  ensureDir(dir);
  const meta = recordedSweepMeta(parts);
  writeAtomic(join(dir, RECORDED_FILES.runs), parts.runs.toCSV());
  writeAtomic(join(dir, RECORDED_FILES.evals), parts.evals.toCSV());
  writeAtomic(join(dir, RECORDED_FILES.staleness), stalenessCounts(parts.updates, parts.histogramBy).toCSV());
  writeAtomic(join(dir, RECORDED_FILES.grid), `${JSON.stringify(parts.grid, null, 2)}\n`);
  writeAtomic(join(dir, RECORDED_FILES.meta), `${JSON.stringify(meta, null, 2)}\n`, { syncDir: true });
  return meta;
}

export interface RecordedSweep {
  dir: string;
  runs: ColumnTable;
  evals: ColumnTable;
  stalenessHistogram: ColumnTable;
  grid: unknown;
  meta: RecordedSweepMeta;
  /** "recorded (commit 61e54c7 + uncommitted changes, 2026-12-01, not rerun)": how a notebook labels these numbers. */
  label: string;
}

/** The label that keeps recorded numbers apart from live ones. */
export function recordedLabel(meta: Pick<RecordedSweepMeta, 'commit' | 'dirty' | 'date' | 'runsStarted'>): string {
  const commit = meta.commit ? `commit ${meta.commit.slice(0, 7)}${meta.dirty ? ' + uncommitted changes' : ''}` : 'commit unknown';
  const date = (meta.runsStarted.last ?? meta.date).slice(0, 10);
  return `recorded (${commit}, ${date}, not rerun)`;
}

function readText(dir: string, file: string): string {
  const path = join(dir, file);
  if (!existsSync(path)) {
    throw new FileError(path, `${dir} is not a complete recorded sweep: ${path} is missing (record one with npx tsx experiments/recordSweep.ts SWEEP_DIR GRID_FILE OUT_DIR)`);
  }
  return readFileSync(path, 'utf8');
}

function readJson(dir: string, file: string): unknown {
  const text = readText(dir, file);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FileError(join(dir, file), `${join(dir, file)} is not valid JSON (truncated or damaged: ${(e as Error).message})`);
  }
}

/** Load a directory written by writeRecordedSweep (experiments/recordSweep.ts). A missing or damaged file is a FileError naming it. */
export function loadRecordedSweep(dir: string): RecordedSweep {
  const meta = readJson(dir, RECORDED_FILES.meta) as RecordedSweepMeta;
  if (typeof meta !== 'object' || meta === null || typeof meta.runs !== 'number' || typeof meta.date !== 'string') {
    throw new FileError(join(dir, RECORDED_FILES.meta), `${join(dir, RECORDED_FILES.meta)} is not a recorded sweep's meta (no runs count or date)`);
  }
  const runs = aq.fromCSV(readText(dir, RECORDED_FILES.runs));
  if (runs.numRows() !== meta.runs) {
    throw new FileError(join(dir, RECORDED_FILES.runs), `${join(dir, RECORDED_FILES.runs)} has ${runs.numRows()} runs, ${join(dir, RECORDED_FILES.meta)} records ${meta.runs}`);
  }
  return {
    dir,
    runs,
    evals: aq.fromCSV(readText(dir, RECORDED_FILES.evals)),
    stalenessHistogram: aq.fromCSV(readText(dir, RECORDED_FILES.staleness)),
    grid: readJson(dir, RECORDED_FILES.grid),
    meta,
    label: recordedLabel(meta),
  };
}
