import { checkpointIfDue, saveSimCheckpoint, type SimLoopState } from './simCheckpoint.ts';
import { evalScratch, evaluateIfDue, evaluateNow, Pacer, type LoopEnd, type SimContext } from './simContext.ts';

/**
 * The asynchronous master/worker protocol (ALGORITHMS.md §1): N always-busy workers; the timing
 * model says who finishes next; the master applies that gradient at once and sends the worker
 * fresh parameters. A gradient depends only on the parameters and minibatch fixed when its job was
 * sent, so where and when it is computed (when applied, ahead in groups, on compute threads: see
 * GradientJobs) changes no result.
 */
export async function simulateAsync(ctx: SimContext): Promise<LoopEnd> {
  const { config, oracle, rule, lrAt, timing, updates, evals, guard, clock, trajectory, jobs } = ctx;
  const n = config.workers;
  const batchSize = config.batchSize;
  const sentAt = new Float64Array(n);
  // Batch k of the run's stream by index, so a resumed run continues the stream where it stopped.
  const jobBatch = new Float64Array(n);
  const scratch = evalScratch(ctx);
  const pacer = new Pacer();
  const resumed = ctx.resumed;
  let version = resumed?.step ?? 0;
  let samples = resumed?.samples ?? 0;
  let simTime = resumed?.simTime ?? 0;
  let nextBatch = resumed?.nextBatch ?? 0;
  const send = (i: number): void => {
    jobBatch[i] = nextBatch;
    jobs.sent(i, nextBatch++, version, timing.finishTime(i));
  };
  const loopState = (): SimLoopState => ({
    step: version,
    samples,
    simTime,
    nextBatch,
    jobs: Array.from({ length: n }, (_, i) => ({ x: jobs.buffer(i).slice(), batch: jobBatch[i], sentAt: sentAt[i] })),
  });

  if (resumed) {
    if (resumed.jobs?.length !== n) throw new Error(`checkpoint: ${resumed.jobs?.length ?? 0} jobs in flight saved, the run has ${n} workers`);
    resumed.jobs.forEach((job, i) => {
      jobs.buffer(i).set(job.x);
      sentAt[i] = job.sentAt;
      jobBatch[i] = job.batch;
      jobs.sent(i, job.batch, job.sentAt, timing.finishTime(i));
    });
  } else {
    for (let i = 0; i < n; i++) {
      rule.send(i, lrAt(0), jobs.buffer(i));
      send(i);
    }
    if (await evaluateNow(ctx, 0, 0, 0, scratch) && config.stopAtTarget) return { status: 'finished', steps: 0, samples, simTime };
  }

  while (version < ctx.totalSteps) {
    if (clock.aborted()) {
      saveSimCheckpoint(ctx, loopState());
      return { status: 'interrupted', steps: version, samples, simTime, message: 'stopped by control.signal' };
    }
    timing.next();
    const i = timing.worker;
    simTime = timing.time;
    const lr = lrAt(samples);
    const result = await jobs.take(i, ctx.totalSteps - version);
    const tau = version - sentAt[i];
    const st = rule.receive(i, jobs.buffer(i), result.g, { tau, lr });
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
    rule.send(i, lrAt(samples), jobs.buffer(i));
    sentAt[i] = version;
    send(i);
    checkpointIfDue(ctx, version, loopState);
  }
  return { status: 'finished', steps: version, samples, simTime };
}
