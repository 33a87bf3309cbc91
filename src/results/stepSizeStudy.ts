import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';

/** Columns of a step-size study: one row per run. */
export const STEP_SIZE_STUDY_COLUMNS = ['rule', 'seed', 'lr', 'status', 'final_test_accuracy'] as const;

/**
 * η values `factors × lr`, rounded to 6 significant digits so that 0.1 × 0.05 is 0.005 (not
 * 0.005000000000000001, which would also label a plot axis).
 */
export function scaledLearningRates(lr: number, factors: readonly number[]): number[] {
  return factors.map((f) => Number((f * lr).toPrecision(6)));
}

/**
 * The runs of a step-size study at one worker count: the main sweep's runs at `workers` for
 * `rules` (all at the recipe's `lr`) and reruns of those rules at other η (a sweep over
 * `lr`), as one table with an `lr` column.
 */
export function stepSizeStudyTable(mainRuns: ColumnTable, lrRuns: ColumnTable, opts: { workers: number; rules: readonly string[]; lr: number }): ColumnTable {
  if (!lrRuns.columnNames().includes('lr')) {
    throw new Error(`stepSizeStudyTable: the reruns need a "lr" column (sweep with vary: { lr: [...] }), got ${lrRuns.columnNames().join(', ')}`);
  }
  const { workers, rules, lr } = opts;
  const columns = [...STEP_SIZE_STUDY_COLUMNS];
  return mainRuns
    .filter(aq.escape((d: { workers: number; rule: string }) => d.workers === workers && rules.includes(d.rule)))
    .derive({ lr: aq.escape(() => lr) })
    .select(columns)
    .concat(lrRuns.select(columns))
    .orderby('rule', 'lr', 'seed');
}

export interface BestStepSize {
  rule: string;
  /** Mean final test accuracy at each η, ascending η. */
  byLr: { lr: number; mean: number; runs: number; diverged: number }[];
  /** The η with the highest mean (the smallest such η on a tie). */
  best: { lr: number; mean: number };
}

/**
 * Per rule, the mean final test accuracy at each η and the best η. A diverged run counts as
 * `chance` (e.g. 1/classes), not as a missing value: dropping it would flatter a step size that
 * diverges on some seeds.
 */
export function bestStepSizes(study: ColumnTable, rules: readonly string[], chance: number): BestStepSize[] {
  const rows = study.objects() as { rule: string; lr: number; status: string; final_test_accuracy: number | null }[];
  return rules.map((rule) => {
    const own = rows.filter((r) => r.rule === rule);
    if (own.length === 0) throw new Error(`bestStepSizes: no runs of rule "${rule}" in the study`);
    const lrs = [...new Set(own.map((r) => r.lr))].sort((a, b) => a - b);
    const byLr = lrs.map((lr) => {
      const at = own.filter((r) => r.lr === lr);
      let sum = 0;
      let diverged = 0;
      for (const r of at) {
        if (r.status === 'diverged') {
          diverged++;
          sum += chance;
        } else if (r.final_test_accuracy === null || !Number.isFinite(r.final_test_accuracy)) {
          throw new Error(`bestStepSizes: rule "${rule}" at lr ${lr} has a ${r.status} run without a final test accuracy (objective runs have none; use a classification model)`);
        } else {
          sum += r.final_test_accuracy;
        }
      }
      return { lr, mean: sum / at.length, runs: at.length, diverged };
    });
    const best = byLr.reduce((a, x) => (x.mean > a.mean ? x : a), byLr[0]);
    return { rule, byLr, best: { lr: best.lr, mean: best.mean } };
  });
}
