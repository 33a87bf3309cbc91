import type { UpdateLogSnapshot } from '../../run/updateLog.ts';
import type { SimContext } from './simContext.ts';
import type { SimLoopState, SimState } from './simState.ts';

export type { SimJob, SimLoopState, SimState } from './simState.ts';

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
