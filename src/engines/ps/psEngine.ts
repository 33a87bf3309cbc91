import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { ConfigError } from '../../config/validate.ts';
import { makeRule } from '../../rules/makeRule.ts';
import { loadSpecModules } from '../../rules/moduleDefinitions.ts';
import { DivergenceGuard } from '../../run/divergenceGuard.ts';
import type { Engine, EngineContext, RunOutcome } from '../../run/engine.ts';
import { EvalLog } from '../../run/evalLog.ts';
import type { RunStatus } from '../../run/runRecord.ts';
import { UpdateLog } from '../../run/updateLog.ts';
import { runSchedule } from '../../run/runSchedule.ts';
import { isLoopback, localWorkersOf, psConfigSchema, startWithOf, type PsConfig } from './psConfig.ts';
import { AsyncMaster, SyncMaster, type Applied, type PsMaster } from './psMaster.ts';
import { PsServer } from './psServer.ts';
import { WorkerTimes } from './workerTimes.ts';
import { TOKEN_ENV } from './spawnPsWorker.ts';
import { LocalWorkers } from './localWorkers.ts';

/** The engine's own columns of the updates table (before profile). */
export const PS_UPDATE_COLUMNS = ['wall_time', 'compute_sec', 'delay_sec', 'comm_sec', 'server_sec', 'pull_version', 'batch'] as const;

const MAX_TRAJECTORY_FLOATS = 5e7;
const TICK_MS = 200;

const now = (): number => performance.now();
const log = (line: string): void => void process.stderr.write(`stalelab ps: ${line}\n`);

/** The run's token: STALELAB_PS_TOKEN, or a fresh random one. */
function runToken(): { token: string; generated: boolean } {
  const given = process.env[TOKEN_ENV];
  if (given !== undefined && given !== '') {
    if (given.length < 8 || given.length > 512) throw new ConfigError(`${TOKEN_ENV}: expected a token of 8 to 512 characters, got ${given.length}`);
    return { token: given, generated: false };
  }
  return { token: randomBytes(24).toString('base64url'), generated: true };
}

interface LoopEnd {
  status: 'finished' | 'diverged' | 'interrupted' | 'failed';
  divergedAtStep?: number;
  message?: string;
  errorStack?: string;
}

/**
 * Train with a real parameter server (ALGORITHMS.md §1–2 over ZeroMQ): this process binds a
 * ROUTER, holds θ and applies the rule; `workers` worker processes (`localWorkers` started here,
 * the others joining with `stalelab join`) pull parameters and push gradients of their own
 * minibatches. Workers may join late and leave: a worker that dies, fails or goes silent loses its
 * gradient in flight (counted) and the run goes on. The main process evaluates θ every
 * `evalEvery` updates (the workers wait meanwhile) and checks every update for divergence.
 */
async function runPs(config: PsConfig, ctx: EngineContext): Promise<RunOutcome> {
  const { oracle } = ctx.problem;
  if (oracle.state.length > 0) throw new ConfigError('config.model: batch-norm models are not supported by the ps engine (the workers\' batch statistics are not sent back); use engine "sim" or a model without batch norm');
  const N = config.workers;
  const budget = ctx.totalSteps ?? Infinity;
  if (config.returnTrajectory && budget * oracle.dim > MAX_TRAJECTORY_FLOATS) {
    throw new ConfigError(`config.returnTrajectory: keeps steps × D = ${budget} × ${oracle.dim} floats; allowed up to ${MAX_TRAJECTORY_FLOATS} (small problems only)`);
  }
  await loadSpecModules(config.rule, 'config.rule');
  const rule = makeRule(config.rule, oracle.init(config.seed), N);
  const lrAt = runSchedule(config, oracle.trainSize);
  const master: PsMaster = rule.spec.sync ? new SyncMaster(rule, lrAt, config.batchSize, budget) : new AsyncMaster(rule, lrAt, config.batchSize, budget);
  const updates = new UpdateLog(PS_UPDATE_COLUMNS, config.logEvery, oracle.trainSize, config.profile);
  const evals = new EvalLog(oracle, { splits: config.evalSplits, every: config.evalEvery, profile: config.profile, clock: 'wall_time', target: config.target });
  const guard = new DivergenceGuard(config.divergeLoss);
  const trajectory: Float32Array[] | null = config.returnTrajectory ? [] : null;
  const times = new WorkerTimes(N);
  const { clock } = ctx;

  const { token, generated } = runToken();
  const server = new PsServer({ address: `tcp://${config.listen}:${config.port}`, token, dim: rule.dim, slots: N, workerConfig: config, workerTimeoutSec: config.workerTimeoutSec, readyTimeoutSec: config.joinTimeoutSec, log });
  const endpoint = await server.bind();
  const nLocal = localWorkersOf(config);
  if (!isLoopback(config.listen)) log(`listening on ${endpoint} (not only this machine): any host that can reach this port and presents the token can join`);
  if (nLocal < N) {
    const port = endpoint.slice(endpoint.lastIndexOf(':') + 1);
    // An address workers can dial: the one bound, or this machine's name for "*", 0.0.0.0 or an interface name.
    const host = /^\d/.test(config.listen) && config.listen !== '0.0.0.0' ? config.listen : os.hostname();
    log(`${N - nLocal} of ${N} worker slot(s) wait for workers to join: stalelab join tcp://${host}:${port} --token ${generated ? token : `"$${TOKEN_ENV}"`}`);
  }

  const tick = setInterval(() => server.post({ kind: 'tick' }), TICK_MS);
  const onAbort = (): void => server.post({ kind: 'tick' });
  ctx.control?.signal?.addEventListener('abort', onAbort);
  let locals: LocalWorkers;
  try {
    locals = new LocalWorkers(nLocal, endpoint, token, (pid, code, signal) => server.post({ kind: 'exit', pid, code, signal }));
  } catch (e) {
    clearInterval(tick);
    ctx.control?.signal?.removeEventListener('abort', onAbort);
    await server.close();
    throw e;
  }

  const waiting = new Set<number>();
  const t0 = now();
  let started = false;
  let startMs = t0;
  let endMs = t0;
  let dropped = 0;
  let unapplied = 0;
  let evalSec = 0;
  let lonelySince: number | null = null;
  // CPU time of this process (main thread, ZeroMQ's I/O thread, GC) while training, evaluations
  // excluded: the server's cost per update, which oversubscribed cores do not inflate.
  let cpuAtStart: NodeJS.CpuUsage | null = null;
  let cpuSec = 0;
  let evalCpuSec = 0;
  const cpuSince = (c: NodeJS.CpuUsage): number => {
    const d = process.cpuUsage(c);
    return (d.user + d.system) / 1e6;
  };
  const wall = (): number => (started ? (now() - startMs) / 1000 : 0);

  const startTraining = (why: string | null): void => {
    started = true;
    startMs = now();
    cpuAtStart = process.cpuUsage();
    if (why) log(why);
  };
  const dispatch = (): void => {
    if (!started) return;
    for (const a of master.assign([...waiting].sort((x, y) => x - y), server.live().length)) {
      waiting.delete(a.slot);
      server.sendParams(a.slot, a.version, a.batch, a.x);
    }
  };
  const record = (u: Applied, serverSec: number): LoopEnd | null => {
    updates.record(
      { step: u.step, worker: u.worker, staleness: u.tau, gapRmse: u.st.gapRmse, lr: u.lr * u.st.scale, scale: u.st.scale, penaltyMean: u.st.penaltyMean, penaltyMax: u.st.penaltyMax, loss: u.loss, samples: u.samples },
      { wall_time: wall(), compute_sec: u.computeSec, delay_sec: u.delaySec, comm_sec: u.commSec, server_sec: serverSec, pull_version: u.pullVersion, batch: u.batch },
    );
    times.add(u.worker, u, serverSec);
    if (trajectory) trajectory.push(rule.master().slice());
    if (guard.diverged(u.loss, u.st.checksum)) return { status: 'diverged', divergedAtStep: u.step, message: guard.reason };
    clock.tick(u.step, u.loss);
    return null;
  };
  /** After an update: the budget, or an evaluation that is due (and may reach the target). */
  const afterUpdate = async (): Promise<LoopEnd | null> => {
    if (master.version >= budget) return { status: 'finished' };
    if (!evals.due(master.version)) return null;
    const e0 = now();
    const c0 = process.cpuUsage();
    const hit = await evals.run(rule.master(), master.version, master.samples, wall());
    evalSec += (now() - e0) / 1000;
    evalCpuSec += cpuSince(c0);
    return hit && config.stopAtTarget ? { status: 'finished' } : null;
  };
  /**
   * Start once enough workers are ready (joined and asked for parameters: their problem is built),
   * or no more can come; end a run that has no worker left and none to come.
   */
  const checkMembers = (): LoopEnd | null => {
    const live = server.live().length;
    // Outsiders may take any free slot; without them only local processes still starting can come.
    const reachable = nLocal < N ? N : live + locals.starting;
    if (!started) {
      const wanted = startWithOf(config);
      const ready = waiting.size;
      const waited = now() - t0 > config.joinTimeoutSec * 1000;
      if (ready > 0 && (ready >= Math.min(wanted, reachable) || waited)) {
        startTraining(ready < wanted ? `starting with ${ready} of ${wanted} workers (${waited ? `after waiting ${config.joinTimeoutSec} s` : `${locals.failures.length} local worker process(es) failed to start`})` : null);
      } else if (live === 0 && reachable === 0) {
        return { status: 'failed', message: `no worker joined: every local worker process failed to start (${locals.failures.join('; ')})` };
      } else if (waited) return { status: 'failed', message: `no worker joined within joinTimeoutSec = ${config.joinTimeoutSec} s` };
      return null;
    }
    if (live > 0) {
      lonelySince = null;
      return null;
    }
    lonelySince ??= now();
    if (reachable > 0 && now() - lonelySince <= config.joinTimeoutSec * 1000) return null;
    return { status: 'failed', message: `every worker left after ${master.version} updates${server.lastWorkerError ? `; last worker error: ${server.lastWorkerError}` : ''}` };
  };

  let end: LoopEnd | null = null;
  try {
    if ((await evals.run(rule.master(), 0, 0, 0)) && config.stopAtTarget) end = { status: 'finished' };
    while (!end) {
      for (const ev of await server.next()) {
        switch (ev.kind) {
          case 'joined':
            locals.joinedAs(ev.pid, ev.host);
            break;
          case 'want':
            waiting.add(ev.slot);
            break;
          case 'push': {
            const loss = ev.header.loss ?? NaN;
            if (!ev.finite || !Number.isFinite(loss)) {
              end = { status: 'diverged', divergedAtStep: master.version + 1, message: `worker ${ev.slot} pushed a ${ev.finite ? 'non-finite loss' : 'gradient with a NaN or infinite entry'}` };
              break;
            }
            const u = master.push(ev.slot, ev.g, { loss, computeSec: ev.header.computeSec, delaySec: ev.header.delaySec, commSec: ev.header.commSec });
            waiting.add(ev.slot);
            if (!u) break;
            // The next parameters go out before the row is written and θ evaluated: the server's time per update ends here.
            dispatch();
            end = record(u, (now() - ev.startedAt) / 1000) ?? (await afterUpdate());
            break;
          }
          case 'left': {
            waiting.delete(ev.slot);
            if (ev.error !== null || ev.held) log(`worker ${ev.slot} left (${ev.reason})${ev.held ? ': its gradient in flight is dropped' : ''}`);
            if (!ev.held) break;
            dropped++;
            const u = master.drop(ev.slot);
            if (u) end = record(u, 0) ?? (await afterUpdate());
            break;
          }
          case 'exit': {
            const failure = locals.exited(ev.pid, ev.code, ev.signal);
            if (failure) log(`a local worker process failed before joining: ${failure}`);
            break;
          }
          case 'tick':
            if (clock.aborted()) end = { status: 'interrupted', message: 'stopped by control.signal' };
            else if (started && config.seconds !== null && wall() >= config.seconds) end = { status: 'finished' };
            break;
        }
        if (end) break;
      }
      end ??= checkMembers();
      if (!end) dispatch();
    }
  } catch (e) {
    // Bad input stays an error; anything else (a user transform throwing, an evaluation failing) is a failed run, rows kept.
    if (e instanceof ConfigError || !(e instanceof Error)) throw e;
    end = { status: 'failed', message: e.message, ...(e.stack ? { errorStack: e.stack } : {}) };
  } finally {
    endMs = now();
    if (cpuAtStart) cpuSec = cpuSince(cpuAtStart) - evalCpuSec;
    clearInterval(tick);
    ctx.control?.signal?.removeEventListener('abort', onAbort);
    unapplied = server.stopAll(end?.status === 'finished' ? 'the run is finished' : `the run ended (${end?.status ?? 'failed'})`);
    await locals.stop();
    await server.close();
  }
  end ??= { status: 'failed', message: 'the server loop ended without a result' };
  const wallTimeSec = started ? (endMs - startMs) / 1000 : 0;
  updates.flush();
  if (end.status === 'finished') await evals.run(rule.master(), master.version, master.samples, wallTimeSec);
  const status: RunStatus = end.status === 'finished' && config.target && !evals.targetHit ? 'not_converged' : end.status;
  const limit = guard.limit;
  return {
    status,
    steps: master.version,
    samples: master.samples,
    ...(end.divergedAtStep !== undefined ? { divergedAtStep: end.divergedAtStep } : {}),
    ...(end.message ? { message: end.message } : {}),
    ...(end.errorStack ? { errorStack: end.errorStack } : {}),
    updates,
    evals,
    theta: rule.master().slice(),
    ...(trajectory ? { trajectory } : {}),
    divergeBound: Number.isFinite(limit) ? limit : null,
    wallTimeSec,
    extra: {
      endpoint,
      local_workers: nLocal,
      cores: os.availableParallelism(),
      workers_joined: server.counts.joined,
      workers_left: server.counts.left,
      dropped_gradients: dropped,
      unapplied_at_stop: unapplied,
      rejected_frames: server.counts.rejected,
      reject_reasons: server.rejectReasons.size ? JSON.stringify(Object.fromEntries(server.rejectReasons)) : null,
      refused_workers: server.counts.refused,
      timed_out_workers: server.counts.evicted,
      worker_errors: server.counts.workerErrors,
      local_start_failures: locals.failures.length,
      eval_sec: evalSec,
      ...times.summary(),
      server_cpu_sec_per_update: master.version > 0 && cpuAtStart ? cpuSec / master.version : null,
    },
  };
}

export const psEngine: Engine<PsConfig> = {
  name: 'ps',
  description: 'a real parameter server over ZeroMQ: worker processes on this machine or others pull θ and push gradients; any rule; staleness from version numbers',
  configSchema: psConfigSchema,
  acceptsOracleObject: false,
  run: runPs,
};
