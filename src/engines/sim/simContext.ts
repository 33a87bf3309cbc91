import { setImmediate as nextTurn } from 'node:timers/promises';
import type { GradientOracle } from '../../oracle/oracle.ts';
import type { Rule } from '../../rules/makeRule.ts';
import type { DivergenceGuard } from '../../run/divergenceGuard.ts';
import type { EvalLog } from '../../run/evalLog.ts';
import type { Checkpointing } from '../../run/checkpoint.ts';
import type { ProgressClock } from '../../run/runControl.ts';
import type { UpdateLog } from '../../run/updateLog.ts';
import type { LrSchedule } from '../../schedule/lrSchedule.ts';
import type { SimConfig } from './simConfig.ts';
import type { GradientJobs } from './gradientJobs.ts';
import type { SimState } from './simState.ts';
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
  /** Where checkpoints go (null: none). */
  checkpoint: Checkpointing | null;
  /** The checkpoint this run continues from (its context already restored; the loop restores its own part). */
  resumed: SimState | null;
  /** Gradient passes and gradients computed before the checkpoint this run resumed from (zeros for a fresh run). */
  gradientsBefore: { passes: number; computed: number };
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

/** The look-ahead a send returns now (DANA's θ − ηγS; θ for the other bases), into scratch. */
function lookAhead(ctx: SimContext, samples: number, scratch: Float32Array): Float32Array {
  ctx.rule.send(0, ctx.lrAt(samples), scratch);
  return scratch;
}

/** Scratch for evaluations at the look-ahead (none when only the master is evaluated). */
export function evalScratch(ctx: Pick<SimContext, 'config' | 'rule'>): Float32Array {
  return new Float32Array(ctx.config.evalAt === 'master' ? 0 : ctx.rule.dim);
}

/**
 * Evaluate this point: the master θ, the look-ahead, or both (the master first: it gives the
 * summary and the target; the look-ahead is logged beside it). True when the target is reached.
 */
export async function evaluateNow(ctx: SimContext, step: number, samples: number, simTime: number, scratch: Float32Array): Promise<boolean> {
  const at = ctx.config.evalAt;
  const hit = await ctx.evals.run(at === 'look-ahead' ? lookAhead(ctx, samples, scratch) : ctx.rule.master(), step, samples, simTime);
  if (at === 'both') await ctx.evals.runSecondary(lookAhead(ctx, samples, scratch), 'look-ahead', step, samples, simTime, ctx.rule.master());
  return hit;
}

/**
 * Evaluate if this update is due; true when the run should stop because its target was reached.
 * (An evaluation that reaches the target ends the run only with stopAtTarget.)
 */
export async function evaluateIfDue(ctx: SimContext, step: number, samples: number, simTime: number, scratch: Float32Array): Promise<boolean> {
  if (!ctx.evals.due(step)) return false;
  const hit = await evaluateNow(ctx, step, samples, simTime, scratch);
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
