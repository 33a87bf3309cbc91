import type { GradientResult } from '../../oracle/oracle.ts';
import { checkpointIfDue, saveSimCheckpoint, type SimLoopState } from './simCheckpoint.ts';
import { evalScratch, evaluateIfDue, evaluateNow, Pacer, type LoopEnd, type SimContext } from './simContext.ts';

/**
 * SSGD (ALGORITHMS.md §2): barrier rounds. Every round all N workers compute a gradient on the
 * same θ (one device pass when the oracle has `gradients`), the master averages them and applies
 * one update of the base step (τ = 0, Δ = 0). A round lasts as long as its slowest job, and
 * processes N·B samples.
 */
export async function simulateSync(ctx: SimContext): Promise<LoopEnd> {
  const { config, oracle, rule, lrAt, timing, updates, evals, guard, clock, trajectory } = ctx;
  const n = config.workers;
  const batchSize = config.batchSize;
  const x = new Float32Array(rule.dim);
  const mean = new Float32Array(rule.dim);
  const round: number[] = new Array(n);
  const scratch = evalScratch(ctx);
  const pacer = new Pacer();
  const resumed = ctx.resumed;
  let version = resumed?.step ?? 0;
  let samples = resumed?.samples ?? 0;
  let simTime = resumed?.simTime ?? 0;
  // Round r draws batches rN … rN + N − 1 of the run's stream.
  let nextBatch = resumed?.nextBatch ?? 0;
  const loopState = (): SimLoopState => ({ step: version, samples, simTime, nextBatch, jobs: null });

  if (!resumed && (await evaluateNow(ctx, 0, 0, 0, scratch)) && config.stopAtTarget) return { status: 'finished', steps: 0, samples, simTime };
  while (version < ctx.totalSteps) {
    if (clock.aborted()) {
      saveSimCheckpoint(ctx, loopState());
      return { status: 'interrupted', steps: version, samples, simTime, message: 'stopped by control.signal' };
    }
    const lr = lrAt(samples);
    rule.send(0, lr, x);
    for (let i = 0; i < n; i++) round[i] = nextBatch++;
    const results: GradientResult[] = await ctx.jobs.round(x, round);
    mean.fill(0);
    let loss = 0;
    for (const r of results) {
      for (let j = 0; j < mean.length; j++) mean[j] += r.g[j];
      loss += r.loss;
      if (r.stats) oracle.foldStats(r.stats);
    }
    for (let j = 0; j < mean.length; j++) mean[j] /= n;
    loss /= n;
    simTime += timing.round();
    const st = rule.receive(0, x, mean, { tau: 0, lr });
    version++;
    samples += n * batchSize;
    updates.record(
      { step: version, worker: null, staleness: 0, gapRmse: st.gapRmse, lr: lr * st.scale, scale: st.scale, penaltyMean: st.penaltyMean, penaltyMax: st.penaltyMax, loss, samples },
      { sim_time: simTime },
    );
    ctx.progress = { steps: version, samples, simTime };
    if (trajectory) trajectory.push(rule.master().slice());
    if (guard.diverged(loss, st.checksum)) {
      updates.flush();
      return { status: 'diverged', steps: version, samples, simTime, divergedAtStep: version, message: guard.reason };
    }
    if (await evaluateIfDue(ctx, version, samples, simTime, scratch)) return { status: 'finished', steps: version, samples, simTime };
    clock.tick(version, loss);
    await pacer.maybeYield();
    checkpointIfDue(ctx, version, loopState);
  }
  return { status: 'finished', steps: version, samples, simTime };
}
