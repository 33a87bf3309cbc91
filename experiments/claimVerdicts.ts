/**
 * The papers' claims on recorded sweeps, each with its Welch 95 % interval and verdict
 * (compareForClaim), as markdown:
 *
 *   npx tsx experiments/claimVerdicts.ts RUNS_CSV [RUNS_CSV …]
 *   npx tsx experiments/claimVerdicts.ts --time-to-target TIME_TO_TARGET_CSV
 *
 * The runs.csv files are stacked (e.g. a medium-gap-aware and a medium-dana recording); each needs
 * rule, workers, seed, status and final_test_accuracy. A diverged run counts as chance accuracy
 * (0.1 for the 10 classes of MNIST), never as missing. A claim whose runs are not all there is
 * reported as such, not judged. With --time-to-target, the table of experiments/threads.ts
 * (step_size, threads, seed, status, seconds): "TAIL-τ reaches the target sooner than constant
 * and 1/τ" per thread count; a run that missed the target is counted and left out, never judged
 * as reached.
 */
import { readFileSync } from 'node:fs';
import * as aq from 'arquero';
import { compareForClaim, formatDifference, type ClaimComparison } from '../src/results/claimVerdict.ts';
import { cellAccuracies } from '../src/results/cellAccuracies.ts';

const CHANCE = 0.1;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** "Fails as N grows": below its single-worker accuracy by more than this; "stays near": within it. */
const MARGIN = 0.05;

type Row = { rule: string; workers: number; seed: number; status: string; final_test_accuracy: number | null };

if (process.argv[2] === '--time-to-target') {
  const t = aq.fromCSV(readFileSync(process.argv[3]!, 'utf8')).objects() as { step_size: string; threads: number; status: string; seconds: number; target_reached?: unknown }[];
  const secs = (kind: string, n: number) => t.filter((r) => r.step_size === kind && r.threads === n && r.status === 'finished').map((r) => r.seconds);
  const missed = t.filter((r) => r.status !== 'finished').length;
  const lines = [`**TAIL-τ reaches the target sooner** (seconds of the other − TAIL-τ's; ${t.length} runs, ${missed} missed the target):`];
  for (const n of [...new Set(t.map((r) => r.threads))].sort((a, b) => a - b)) {
    for (const other of ['constant', 'inverse']) {
      const a = secs(other, n);
      const b = secs('tail-tau', n);
      if (a.length < 3 || b.length < 3) { lines.push(`- T = ${n}, vs ${other}: not judged (${a.length} and ${b.length} runs reached it)`); continue; }
      const c = compareForClaim(a, b);
      lines.push(`- T = ${n}, vs ${other}: ${mean(a).toFixed(2)} s vs ${mean(b).toFixed(2)} s, difference ${formatDifference(c, 2)} → **${c.verdict}**`);
    }
  }
  console.log(lines.join('\n'));
  process.exit(0);
}
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: npx tsx experiments/claimVerdicts.ts RUNS_CSV [RUNS_CSV …]');
  process.exit(2);
}
const rows: Row[] = files.flatMap((f) => aq.fromCSV(readFileSync(f, 'utf8')).objects() as Row[]);
const cell = (rule: string, n: number) => cellAccuracies(rows, { rule, workers: n }, { chance: CHANCE });
const rules = new Set(rows.map((r) => r.rule));
const workers = [...new Set(rows.map((r) => r.workers))].sort((a, b) => a - b);
const nMax = Math.max(...workers);

function line(what: string, a: number[], b: number[], margin = 0): string {
  if (a.length < 3 || b.length < 3) return `- ${what}: not judged (${a.length} and ${b.length} seeds recorded; 3 needed)`;
  const c: ClaimComparison = compareForClaim(a, b, { margin });
  return `- ${what}: ${mean(a).toFixed(3)} vs ${mean(b).toFixed(3)}, difference ${formatDifference(c)}${margin ? ` (margin ${margin})` : ''} → **${c.verdict}**`;
}

const out: string[] = [`Runs: ${rows.length} from ${files.join(', ')}; N ∈ {${workers.join(', ')}}; diverged runs count as ${CHANCE}.`, ''];
if (rules.has('ga') && rules.has('sa')) {
  out.push('**GA ≥ SA at every N** (GA − SA):');
  for (const n of workers.filter((w) => w > 1)) out.push(line(`N = ${n}, plain`, cell('ga', n), cell('sa', n)));
  if (rules.has('ga-momentum') && rules.has('sa-momentum')) for (const n of workers.filter((w) => w > 1)) out.push(line(`N = ${n}, with momentum`, cell('ga-momentum', n), cell('sa-momentum', n)));
  out.push('');
}
if (rules.has('ga') && rules.has('ga-momentum')) {
  out.push(`**With GA, momentum helps at large N** (GA-momentum − GA, N = ${nMax}):`, line(`N = ${nMax}`, cell('ga-momentum', nMax), cell('ga', nMax)), '');
}
const fails = ['nag-asgd', 'multi-asgd'].filter((r) => rules.has(r));
const holds = ['dana-zero', 'dana-slim', 'dana-dc'].filter((r) => rules.has(r));
if (fails.length || holds.length) {
  out.push(`**NAG-ASGD and Multi-ASGD fail as N grows** (accuracy at N = 1 − at N = ${nMax} > ${MARGIN}):`);
  for (const r of fails) out.push(line(r, cell(r, 1), cell(r, nMax), MARGIN));
  out.push(`**DANA stays near the single-worker accuracy** (at N = ${nMax} − at N = 1 > −${MARGIN}):`);
  for (const r of holds) out.push(line(r, cell(r, nMax), cell(r, 1), -MARGIN));
  out.push('');
}
console.log(out.join('\n'));
