/**
 * Record a sweep's saved runs for others to read without rerunning them:
 *
 *   npx tsx experiments/recordSweep.ts runs/medium-dana experiments/medium-dana.json experiments/results/medium-2026-12-01/dana
 *
 * Loads every run of the grid saved in SWEEP_DIR (checked against its checksums; matched by run id,
 * or by swept values where an older checkout saved it under another config hash; a run not there
 * yet is listed in meta.json's missingRuns, so a partial sweep can be recorded and says so) and
 * writes OUT_DIR/runs.csv (the columns of sweep().runs), evals.csv, staleness_histogram.csv (per
 * swept field but the seed), grid.json and meta.json (commit, machine, dates, run counts, wall
 * times), each atomically. `loadRecordedSweep(OUT_DIR)` reads it back.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../src/config/validate.ts';
import { writeRecordedSweep, type MissingRun } from '../src/results/recordedSweep.ts';
import { isSavedRun, loadRun } from '../src/results/runDir.ts';
import type { RunRecord } from '../src/run/runRecord.ts';
import { prepareSweep, SweepTables } from '../src/sweep/sweep.ts';
import { loadGridFile, type SweepGrid } from '../src/sweep/sweepGrid.ts';

/** A run id less its config hash: the readable swept values, e.g. "rule=dana-zero_workers=8_seed=0". */
const sweptPart = (id: string) => id.replace(/-[0-9a-f]{8}$/, '');

/**
 * The grid's saved runs in `dir`, by run id, or else by swept values: a sweep run by an older
 * checkout has the same swept values but another config hash (fields added since, with defaults).
 */
async function collect(grid: SweepGrid, dir: string) {
  if (!existsSync(dir)) throw new ConfigError(`${dir}: no such sweep directory`);
  const prepared = await prepareSweep(grid);
  const tables = new SweepTables(prepared);
  const saved = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  const bySwept = new Map<string, string[]>();
  for (const name of saved) bySwept.set(sweptPart(name), [...(bySwept.get(sweptPart(name)) ?? []), name]);
  const missing: MissingRun[] = [];
  const records: RunRecord[] = [];
  const used = new Set<string>();
  let byValues = 0;
  prepared.ids.forEach((runId, index) => {
    const candidates = [runId, ...(bySwept.get(sweptPart(runId)) ?? []).filter((n) => n !== runId)];
    const found = candidates.find((n) => isSavedRun(join(dir, n)));
    if (found === undefined) {
      missing.push({ index, runId, values: prepared.points[index].values });
      return;
    }
    if (found !== runId) byValues++;
    used.add(found);
    const run = loadRun(join(dir, found));
    tables.add(index, run, true);
    records.push(run.record);
  });
  const strays = saved.filter((n) => !used.has(n) && isSavedRun(join(dir, n)));
  return { ...tables.result(missing.length ? 'interrupted' : 'finished'), records, missing, byValues, strays };
}

async function main(argv: string[]): Promise<number> {
  const [sweepDir, gridPath, outDir, ...extra] = argv;
  if (!sweepDir || !gridPath || !outDir || extra.length) {
    console.error('usage: recordSweep.ts SWEEP_DIR GRID_FILE OUT_DIR');
    return 2;
  }
  const grid = loadGridFile(gridPath);
  const collected = await collect(grid, sweepDir);
  if (collected.records.length === 0) throw new ConfigError(`${sweepDir}: none of the ${collected.missing.length} runs of ${gridPath} is saved there (is it the sweep's --out directory?)`);
  const meta = writeRecordedSweep(outDir, {
    runs: collected.runs,
    evals: collected.evals,
    updates: collected.updates,
    records: collected.records,
    missing: collected.missing,
    // The grid file as written (comments and key order of a YAML grid are not kept: JSON of what it says).
    grid: gridPath.endsWith('.json') ? JSON.parse(readFileSync(gridPath, 'utf8')) : grid,
    histogramBy: Object.keys(grid.vary).filter((f) => f !== 'seed'),
    source: { grid: gridPath, sweepDir },
    notes: [
      ...(collected.byValues ? [`${collected.byValues} runs matched by their swept values, not their run id (saved by a checkout whose configs hash differently); runs.csv gives the run ids this checkout computes`] : []),
      ...(collected.strays.length ? [`saved runs not in the grid, left out: ${collected.strays.join(', ')}`] : []),
    ],
  });
  const statuses = Object.entries(meta.statuses).map(([s, n]) => `${n} ${s}`).join(', ');
  console.log(`recorded ${meta.runs} of ${meta.expected} runs (${statuses}) from ${sweepDir} into ${outDir}: commit ${meta.commit ?? 'unknown'}${meta.dirty ? ' (dirty)' : ''}, ` +
    `median ${meta.wallTimeSec.medianPerRun?.toFixed(1) ?? 'n/a'} s per run on ${meta.machine.cores} × ${meta.machine.cpu}`);
  if (collected.byValues) console.log(`${collected.byValues} runs matched by their swept values, not their run id (saved by a checkout whose configs hash differently)`);
  if (collected.strays.length) console.log(`${collected.strays.length} saved runs in ${sweepDir} are not in the grid and were left out: ${collected.strays.join(', ')}`);
  if (meta.missingRuns.length) console.log(`${meta.missingRuns.length} runs not saved yet: indices ${meta.missingRuns.map((m) => m.index).join(',')}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof ConfigError) {
      console.error(`recordSweep: ${e.message}`);
      process.exit(2);
    }
    throw e;
  },
);
