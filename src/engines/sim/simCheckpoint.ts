import type { RuleState } from '../../rules/ruleState.ts';
import type { EvalLogSnapshot } from '../../run/evalLog.ts';
import type { UpdateLogSnapshot } from '../../run/updateLog.ts';
import type { SimContext } from './simContext.ts';

/** A worker's job in flight at a checkpoint: what it was sent, on which minibatch, at which version. */
export interface SimJob {
  x: Float32Array;
  batch: number;
  sentAt: number;
}

/** Where the master loop is at an update boundary: what the loop itself keeps besides the context. */
export interface SimLoopState {
  step: number;
  samples: number;
  simTime: number;
  /** Minibatches drawn so far: the next job gets batch `nextBatch` of the run's batch stream. */
  nextBatch: number;
  /** Async: every worker's job in flight (null for SSGD, which has none between rounds). */
  jobs: SimJob[] | null;
}

/**
 * The simulator's whole state after an update (ALGORITHMS.md §1): the loop's position, the rule's
 * state (θ and every buffer), batch-norm statistics, the divergence bound, the rows so far and the
 * gradient counters. The timing model's random streams are not stored: the arrival order and
 * times do not depend on gradients, so resuming replays its first `step` draws (microseconds per
 * update); no gradient of a finished update is computed again.
 */
export interface SimState extends SimLoopState {
  rule: RuleState;
  oracleState: Float32Array;
  divergeBound: number;
  updates: UpdateLogSnapshot;
  evals: EvalLogSnapshot;
  trajectory: Float32Array[] | null;
  gradientPasses: number;
  gradientsComputed: number;
}

/** Save a checkpoint after this update if one is due; `loop` is only read then (it copies N parameter vectors). */
export function checkpointIfDue(ctx: SimContext, step: number, loop: () => SimLoopState): void {
  if (ctx.checkpoint?.due(step, ctx.totalSteps)) saveSimCheckpoint(ctx, loop());
}

/** Save a checkpoint now (at an update boundary: the loop's top, or after a send). */
export function saveSimCheckpoint(ctx: SimContext, loop: SimLoopState): void {
  if (!ctx.checkpoint) return;
  const state: SimState = {
    ...loop,
    rule: ctx.rule.saveState(),
    oracleState: ctx.oracle.state.slice(),
    divergeBound: ctx.guard.limit,
    updates: ctx.updates.snapshot(),
    evals: ctx.evals.snapshot(),
    trajectory: ctx.trajectory ? ctx.trajectory.map((t) => t.slice()) : null,
    gradientPasses: ctx.gradientsBefore.passes + ctx.jobs.passes,
    gradientsComputed: ctx.gradientsBefore.computed + ctx.jobs.computed,
  };
  ctx.checkpoint.save(loop.step, state);
}

/**
 * Put a checkpoint's state back into a freshly built context (same config and seed): the rule,
 * statistics, bound, rows, and the timing model advanced past the `step` arrivals (or SSGD rounds)
 * already applied. The loop then restores its own position and jobs from the same state.
 */
export function restoreSimState(ctx: SimContext, s: SimState): void {
  ctx.rule.loadState(s.rule);
  if (s.oracleState.length !== ctx.oracle.state.length) throw new Error(`checkpoint: ${s.oracleState.length} batch-norm statistics saved, the model has ${ctx.oracle.state.length}`);
  ctx.oracle.state.set(s.oracleState);
  ctx.guard.restore(s.divergeBound);
  ctx.updates.restore(s.updates as UpdateLogSnapshot<'sim_time'>);
  ctx.evals.restore(s.evals);
  if (ctx.trajectory && s.trajectory) ctx.trajectory.push(...s.trajectory);
  ctx.gradientsBefore = { passes: s.gradientPasses, computed: s.gradientsComputed };
  const sync = s.jobs === null;
  for (let k = 0; k < s.step; k++) {
    if (sync) ctx.timing.round();
    else ctx.timing.next();
  }
  ctx.progress = { steps: s.step, samples: s.samples, simTime: s.simTime };
}
