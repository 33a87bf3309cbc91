import { lrScheduleOf, type LrSchedule } from '../schedule/lrSchedule.ts';
import { budgetSteps, samplesPerUpdate } from './budget.ts';
import type { RunConfig } from './runConfig.ts';

/** The run's learning rate by samples processed, with what the schedule needs of the budget. */
export function runSchedule(config: RunConfig, trainSize: number): LrSchedule {
  const steps = budgetSteps(config, trainSize);
  const perUpdate = samplesPerUpdate(config);
  return lrScheduleOf(config.lrSchedule, config.lr, trainSize, {
    workers: config.workers,
    samplesPerUpdate: perUpdate,
    budgetSamples: steps === null ? null : steps * perUpdate,
  });
}
