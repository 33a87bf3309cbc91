import type { LossTrack } from './updateLog.ts';

/** Test accuracy within this much of chance (1/classes) counts as chance. */
export const CHANCE_MARGIN = 0.02;
/** The training loss "fell" when a window's mean reached this fraction of the first window's. */
export const LOSS_FALL = 0.8;

export interface Collapse {
  /** The run learned (its loss fell, or an evaluation beat chance) and its test accuracy ended at chance; null where there is no accuracy. */
  collapsed: boolean | null;
  /** The first evaluation at chance after the run's best point (its lowest loss window or best evaluation). */
  collapse_step: number | null;
  /** Chance accuracy, 1/classes (null without classes). */
  chance_accuracy: number | null;
}

/**
 * Whether a classification run collapsed: it ended at chance (≤ 1/classes + CHANCE_MARGIN) after
 * its training loss fell (a window of updates at ≤ LOSS_FALL of the first window's mean loss) or
 * an evaluation was clearly above chance. Such a run "finishes" with a useless model, and without
 * frequent evaluations its test accuracy shows only the end: this is what says so. A run that
 * never learned is not a collapse (collapsed false).
 */
export function collapseOf(classes: number | undefined, tests: readonly { step: number; accuracy: number }[], loss: LossTrack | null): Collapse {
  if (classes === undefined || !(classes >= 2) || tests.length === 0) return { collapsed: null, collapse_step: null, chance_accuracy: classes && classes >= 2 ? 1 / classes : null };
  const chance = 1 / classes;
  const atChance = (a: number) => a <= chance + CHANCE_MARGIN;
  const none = { collapsed: false, collapse_step: null, chance_accuracy: chance };
  if (!atChance(tests[tests.length - 1].accuracy)) return none;
  let best = tests[0];
  for (const t of tests) if (t.accuracy > best.accuracy) best = t;
  const lossFell = loss !== null && loss.lowest <= LOSS_FALL * loss.first;
  const beatChance = best.accuracy > chance + 2 * CHANCE_MARGIN;
  if (!lossFell && !beatChance) return none;
  const peak = beatChance ? best.step : (loss as LossTrack).lowestStep;
  const after = tests.find((t) => t.step >= peak && atChance(t.accuracy)) ?? tests[tests.length - 1];
  return { collapsed: true, collapse_step: after.step, chance_accuracy: chance };
}
