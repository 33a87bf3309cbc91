import { setImmediate as nextTurn } from 'node:timers/promises';
import type { GradientOracle } from '../../oracle/oracle.ts';
import type { Rule } from '../../rules/makeRule.ts';
import type { DivergenceGuard } from '../../run/divergenceGuard.ts';
import type { EvalLog } from '../../run/evalLog.ts';
import type { ProgressClock } from '../../run/runControl.ts';
import type { UpdateLog } from '../../run/updateLog.ts';
import type { LrSchedule } from '../../schedule/lrSchedule.ts';
import type { SimConfig } from './simConfig.ts';
import type { GradientJobs } from './gradientJobs.ts';
import type { Timing } from './timing.ts';

/** Everything one simulated run works with; the loops (async, sync) share it. */
export interface SimContext {
  config: SimConfig;
  oracle: GradientOracle;
  rule: Rule;
  lrAt: LrSchedule;
  timing: Timing;
  updates: UpdateLog<'sim_time'>;
  evals: EvalLog;
  guard: DivergenceGuard;
  clock: ProgressClock;
  /** Master updates the run is budgeted for. */
  totalSteps: number;
  /** θ after every update, when the config asks for it. */
  trajectory: Float32Array[] | null;
  batchSeed: number;
  /** Where the workers' gradients are computed (this thread, or compute threads). */
  jobs: GradientJobs;
  /** Where the loop is (updates applied, samples, simulated time): what a failed run got to. */
  progress: { steps: number; samples: number; simTime: number };
}

export interface LoopEnd {
  status: 'finished' | 'diverged' | 'interrupted' | 'failed';
  steps: number;
  samples: number;
  simTime: number;
  divergedAtStep?: number;
  message?: string;
  errorStack?: string;
}

/** The parameters evaluations see: the master's θ, or the look-ahead a send returns now. */
export function evalPoint(ctx: SimContext, samples: number, scratch: Float32Array): Float32Array {
  if (ctx.config.evalAt === 'master') return ctx.rule.master();
  ctx.rule.send(0, ctx.lrAt(samples), scratch);
  return scratch;
}

/**
 * Evaluate if this update is due; true when the run should stop because its target was reached.
 * (An evaluation that reaches the target ends the run only with stopAtTarget.)
 */
export async function evaluateIfDue(ctx: SimContext, step: number, samples: number, simTime: number, scratch: Float32Array): Promise<boolean> {
  if (!ctx.evals.due(step)) return false;
  const hit = await ctx.evals.run(evalPoint(ctx, samples, scratch), step, samples, simTime);
  return hit && ctx.config.stopAtTarget;
}

/**
 * Lets timers and abort signals run during a long synchronous-looking loop: every `everyMs` of
 * wall time it yields one turn of the event loop (awaiting resolved promises alone never does).
 */
export class Pacer {
  private last = performance.now();
  constructor(private readonly everyMs = 50) {}
  async maybeYield(): Promise<void> {
    const now = performance.now();
    if (now - this.last < this.everyMs) return;
    await nextTurn();
    this.last = performance.now();
  }
}
