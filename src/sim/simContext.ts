import { setImmediate as nextTurn } from 'node:timers/promises';
import type { GradientOracle } from '../oracle/oracle.ts';
import type { ProgressClock } from '../results/runControl.ts';
import type { Rule } from '../rules/makeRule.ts';
import type { LrSchedule } from '../schedule/lrSchedule.ts';
import type { StalenessScaler } from '../stepsize/stalenessScaler.ts';
import type { DivergenceGuard } from './divergenceGuard.ts';
import type { EvalLog } from './evalLog.ts';
import type { SimConfig } from './simConfig.ts';
import type { Timing } from './timing.ts';
import type { UpdateLog } from './updateLog.ts';

/** Everything one simulated run works with; the loops (async, sync) share it. */
export interface SimContext {
  config: SimConfig;
  oracle: GradientOracle;
  rule: Rule;
  lrAt: LrSchedule;
  timing: Timing;
  scaler: StalenessScaler | null;
  updates: UpdateLog;
  evals: EvalLog;
  guard: DivergenceGuard;
  clock: ProgressClock;
  /** Master updates the run is budgeted for. */
  totalSteps: number;
  /** θ after every update, when the config asks for it. */
  trajectory: Float32Array[] | null;
  batchSeed: number;
  /** Set by the async loop: how many oracle passes computed how many gradients. */
  gradientPasses?: { passes: number; computed: number };
}

export interface LoopEnd {
  status: 'finished' | 'diverged' | 'interrupted';
  steps: number;
  samples: number;
  simTime: number;
  divergedAtStep?: number;
  message?: string;
}

/** The parameters evaluations see: the master's θ, or the look-ahead a send returns now. */
export function evalPoint(ctx: SimContext, samples: number, scratch: Float32Array): Float32Array {
  if (ctx.config.evalAt === 'master') return ctx.rule.master();
  ctx.rule.send(0, ctx.lrAt(samples), scratch);
  return scratch;
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
