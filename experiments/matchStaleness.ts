/**
 * A threads (or ps) sweep's runs beside the simulator's at the same mean staleness: for each
 * (rule, sync, T) cell, the measured final test accuracy (mean over seeds; a diverged run counts
 * as chance, 0.1) and the simulator's interpolated at the cell's mean τ. Writes matched.csv and
 * prints the table and, per rule, the mean difference (threads − simulator).
 *
 *   npx tsx experiments/matchStaleness.ts runs/threads-rules-sgd/runs.csv runs/threads-rules-sgd-sim/runs.csv OUT_DIR
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as aq from 'arquero';
import { atMatchedStaleness } from '../src/results/matchedStaleness.ts';
import { writeAtomic } from '../src/results/atomicWrite.ts';

const [measuredPath, simPath, outDir] = process.argv.slice(2);
if (!measuredPath || !simPath || !outDir) {
  console.error('usage: matchStaleness.ts MEASURED_RUNS_CSV SIM_RUNS_CSV OUT_DIR');
  process.exit(2);
}
const read = (p: string) => aq.fromCSV(readFileSync(p, 'utf8'));
const matched = atMatchedStaleness(read(measuredPath), read(simPath), { cell: ['rule', 'sync'], match: ['rule'], metric: 'final_test_accuracy', diverged: 0.1 })
  .orderby('rule', 'sync', 'workers');
writeAtomic(join(outDir, 'matched.csv'), matched.toCSV());
console.log(matched.select('rule', 'sync', 'workers', 'runs', 'diverged_runs', 'staleness_mean', 'final_test_accuracy', 'sim_final_test_accuracy', 'difference', 'sim_extrapolated').toMarkdown({ limit: 1000, digits: 4 } as never));
const perRule = matched.groupby('rule').rollup({ cells: aq.op.count(), mean_difference: aq.op.mean('difference'), min_difference: aq.op.min('difference'), max_difference: aq.op.max('difference') });
console.log(perRule.toMarkdown({ digits: 4 } as never));
