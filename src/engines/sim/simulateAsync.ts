import type { Batch } from '../../data/dataset.ts';
import { InFlightGradients } from './inFlightGradients.ts';
import { evalPoint, evaluateIfDue, Pacer, type LoopEnd, type SimContext } from './simContext.ts';

/**
 * The asynchronous master/worker protocol (ALGORITHMS.md §1): N always-busy workers; the timing
 * model says who finishes next; the master applies that gradient at once and sends the worker
 * fresh parameters. A gradient is computed lazily when it is applied, from the parameters and
 * minibatch fixed when the job was sent (the same result as computing it at send time); with
 * `gradientBatching: 'in-flight'` the gradients of in-flight jobs are computed ahead in groups,
 * one device pass each (InFlightGradients), with the same results.
 */
export async function simulateAsync(ctx: SimContext): Promise<LoopEnd> {
  const { config, oracle, rule, lrAt, timing, updates, evals, guard, clock, trajectory } = ctx;
  const n = config.workers;
  const batchSize = config.batchSize;
  const sent = Array.from({ length: n }, () => new Float32Array(rule.dim));
  const sentAt = new Float64Array(n);
  const batches = oracle.batches(batchSize, ctx.batchSeed);
  const pending: Batch[] = new Array(n);
  const scratch = new Float32Array(config.evalAt === 'master' ? 0 : rule.dim);
  const pacer = new Pacer();
  const jobs = new InFlightGradients(oracle, config.gradientBatching, config.gradientGroup, n);
  ctx.gradientPasses = jobs;
  let version = 0;
  let samples = 0;
  let simTime = 0;

  for (let i = 0; i < n; i++) {
    rule.send(i, lrAt(0), sent[i]);
    pending[i] = batches.next();
    jobs.sent(i, sent[i], pending[i], 0);
  }
  if (await evals.run(evalPoint(ctx, 0, scratch), 0, 0, 0) && config.stopAtTarget) return { status: 'finished', steps: 0, samples, simTime };

  while (version < ctx.totalSteps) {
    if (clock.aborted()) return { status: 'interrupted', steps: version, samples, simTime, message: 'stopped by control.signal' };
    timing.next();
    const i = timing.worker;
    simTime = timing.time;
    const lr = lrAt(samples);
    const result = await jobs.take(i, ctx.totalSteps - version);
    const tau = version - sentAt[i];
    const st = rule.receive(i, sent[i], result.g, { tau, lr });
    if (result.stats) oracle.foldStats(result.stats);
    version++;
    samples += batchSize;
    updates.record(
      { step: version, worker: i, staleness: tau, gapRmse: st.gapRmse, lr: lr * st.scale, scale: st.scale, penaltyMean: st.penaltyMean, penaltyMax: st.penaltyMax, loss: result.loss, samples },
      { sim_time: simTime },
    );
    ctx.progress = { steps: version, samples, simTime };
    if (trajectory) trajectory.push(rule.master().slice());
    if (guard.diverged(result.loss, st.checksum)) {
      updates.flush();
      return { status: 'diverged', steps: version, samples, simTime, divergedAtStep: version, message: guard.reason };
    }
    if (await evaluateIfDue(ctx, version, samples, simTime, scratch)) return { status: 'finished', steps: version, samples, simTime };
    clock.tick(version, result.loss);
    await pacer.maybeYield();
    rule.send(i, lrAt(samples), sent[i]);
    sentAt[i] = version;
    pending[i] = batches.next();
    jobs.sent(i, sent[i], pending[i], version);
  }
  return { status: 'finished', steps: version, samples, simTime };
}
