import type { RunResult } from '../run/runRecord.ts';

const fmt = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : String(v));

/** A few lines for the terminal: how the run ended, its headline figures and where the tables are. */
export function describeRun(result: RunResult, dir: string, files: readonly string[]): string {
  const r = result.record;
  const s = r.summary ?? {};
  const picks = ['rule', 'workers', 'sync', 'updates', 'applied', 'dropped', 'epochs', 'staleness_mean', 'staleness_max', 'final_test_accuracy', 'best_test_accuracy', 'final_test_loss', 'last_test_accuracy', 'target_reached_step', 'target_reached_time', 'updates_per_sec'];
  const figures = picks.filter((k) => s[k] !== undefined && s[k] !== null && s[k] !== '').map((k) => `  ${k}: ${fmt(s[k])}`);
  const lines = [
    `${r.id}: ${r.status}${r.divergedAtStep !== undefined ? ` at update ${r.divergedAtStep}` : ''}${r.message ? ` (${r.message})` : ''}`,
    `  engine ${r.engine}, backend ${r.backend}, ${r.wallTimeSec.toFixed(1)} s, ${result.updates.numRows()} update rows, ${result.evals.numRows()} eval rows`,
    ...figures,
  ];
  lines.push(`  wrote ${dir}/: ${files.join(', ')}`);
  return lines.join('\n') + '\n';
}
