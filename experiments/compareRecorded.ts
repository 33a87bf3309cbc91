/**
 * Compare a sweep's runs.csv with a recorded one, run by run: the same runs (matched on the swept
 * fields), the same status and the same final figures, to the digit. How a later commit shows it
 * moved no rule's numbers.
 *
 *   npx tsx experiments/compareRecorded.ts experiments/results/rules-by-workers-2026-11-30/runs.csv runs/rules-by-workers/runs.csv rule workers seed
 *
 * A key written OLD=NEW matches a field that was renamed (ruleParams.lr=lr).
 */
import { readFileSync } from 'node:fs';
import * as aq from 'arquero';

const [recordedPath, newPath, ...keys] = process.argv.slice(2);
if (!recordedPath || !newPath || keys.length === 0) {
  console.error('usage: compareRecorded.ts RECORDED_RUNS_CSV NEW_RUNS_CSV KEY [KEY …]  (the swept fields, e.g. rule workers seed)');
  process.exit(2);
}
const read = (p: string) => aq.fromCSV(readFileSync(p, 'utf8'), { autoType: false }).objects() as Record<string, string>[];
const recorded = read(recordedPath);
const oldKey = (k: string) => k.split('=')[0];
const newKey = (k: string) => k.split('=').at(-1)!;
const fresh = new Map(read(newPath).map((r) => [keys.map((k) => r[newKey(k)]).join('|'), r]));
const figures = ['status', 'final_test_accuracy', 'final_test_loss'];
let differ = 0;
let missing = 0;
for (const r of recorded) {
  const key = keys.map((k) => r[oldKey(k)]).join('|');
  const n = fresh.get(key);
  if (!n) {
    missing++;
    console.log(`missing: ${key}`);
    continue;
  }
  const diffs = figures.filter((f) => (r[f] ?? '') !== (n[f] ?? '')).map((f) => `${f} ${r[f]} → ${n[f]}`);
  if (diffs.length) {
    differ++;
    console.log(`${key}: ${diffs.join(', ')}`);
  }
}
console.log(`${recorded.length} recorded runs: ${recorded.length - differ - missing} identical (${figures.join(', ')}), ${differ} differ, ${missing} missing`);
process.exit(differ + missing > 0 ? 1 : 0);
