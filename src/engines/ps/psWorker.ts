import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Dealer } from 'zeromq';
import type { Batch } from '../../data/dataset.ts';
import type { GradientOracle } from '../../oracle/oracle.ts';
import { mixSeed } from '../../rng/rng.ts';
import { resolveProblem } from '../../run/problem.ts';
import { makeDelay } from './delayInjection.ts';
import type { PsConfig } from './psConfig.ts';
import { decodeMessage, encodeMessage, HEARTBEAT, MAX_SERVER_HEADER_BYTES, PS_DTYPE, PS_PROTOCOL, serverHeaderSchema, type ServerHeader } from './psFrames.ts';

/** The server refused this worker (wrong token, no free slot, another protocol). */
export class PsRefusedError extends Error {
  constructor(reason: string) {
    super(`the server refused this worker: ${reason}`);
    this.name = 'PsRefusedError';
  }
}

/** The server rejected a message of this worker and let it go. */
class PsRejectedError extends Error {
  constructor(reason: string) {
    super(`the server rejected this worker's message: ${reason}`);
    this.name = 'PsRejectedError';
  }
}

export interface PsWorkerOptions {
  /** tcp://HOST:PORT of the server. */
  endpoint: string;
  token: string;
  /** Use this TensorFlow.js backend instead of the run's (another machine may have another). */
  backend?: string;
  /** Seconds to wait for the server's answer to the hello. */
  helloTimeoutSec?: number;
  signal?: AbortSignal;
}

export interface PsWorkerEnd {
  worker: number;
  gradients: number;
  /** Why the server stopped this worker. */
  reason: string;
}

/**
 * One worker of a parameter-server run, in this process: connect a DEALER to the server's ROUTER,
 * present the token, receive the run's config and build the problem (its own TensorFlow.js
 * backend), then loop: parameters x and batch index k in → gradient of batch k at x → the
 * injected delay → push (which also asks for the next parameters). Ends when the server says stop;
 * an error of its own is reported to the server (so its gradient is counted as dropped) and rethrown.
 */
export async function runPsWorker(opts: PsWorkerOptions): Promise<PsWorkerEnd> {
  const dealer = new Dealer({ linger: 1000, ...HEARTBEAT, receiveTimeout: (opts.helloTimeoutSec ?? 60) * 1000 });
  let lost = false;
  let slot = -1;
  dealer.events.on('disconnect', () => {
    // A reconnect would get a new routing id the server does not know: the session is over.
    if (slot < 0) return;
    lost = true;
    dealer.close();
  });
  const onAbort = (): void => {
    // Leaving on purpose: say so, so that the server drops this worker's gradient at once.
    if (slot < 0 || dealer.closed) return void (dealer.closed || dealer.close());
    void dealer.send(encodeMessage({ type: 'bye', token: opts.token, worker: slot, error: null })).catch(() => {}).finally(() => dealer.closed || dealer.close());
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const receive = async (dim: number | null): Promise<{ header: ServerHeader; payload: Buffer | null }> => {
    let frames: Buffer[];
    try {
      frames = await dealer.receive();
    } catch (e) {
      if (opts.signal?.aborted) throw new Error('interrupted');
      if (lost) throw new Error(`lost the connection to the server at ${opts.endpoint}`);
      if ((e as { code?: string }).code === 'EAGAIN') throw new Error(`no answer from a stalelab server at ${opts.endpoint} within ${opts.helloTimeoutSec ?? 60} s`);
      throw e;
    }
    const m = decodeMessage(frames, serverHeaderSchema, dim, MAX_SERVER_HEADER_BYTES);
    if (!m.ok) throw new Error(`malformed message from the server: ${m.reason}`);
    return m;
  };

  let oracle: GradientOracle | undefined;
  let gradients = 0;
  try {
    dealer.connect(opts.endpoint);
    await dealer.send(encodeMessage({ type: 'hello', protocol: PS_PROTOCOL, token: opts.token, pid: process.pid, host: os.hostname() }));
    const hello = (await receive(null)).header;
    if (hello.type === 'refuse') throw new PsRefusedError(hello.reason);
    if (hello.type !== 'welcome') throw new Error(`expected a welcome from the server, got "${hello.type}"`);
    dealer.receiveTimeout = -1;
    slot = hello.worker;
    const dim = hello.dim;
    const base = { token: opts.token, worker: slot };
    try {
      const config = { ...(hello.config as unknown as PsConfig), ...(opts.backend ? { backend: opts.backend as PsConfig['backend'] } : {}) };
      oracle = (await resolveProblem(config, { worker: slot })).oracle;
      if (oracle.dim !== dim) throw new Error(`this worker's problem has D = ${oracle.dim}, the server's has D = ${dim}`);
      const batches = oracle.batches(config.batchSize, mixSeed(config.seed, 7001));
      const delayMs = makeDelay(config.delay, config.straggler, config.seed, slot);
      const x = new Float32Array(dim);
      // Reused for every gradient: the push that sends g (zero-copy) has reached the server before
      // its reply, the next parameters, lets this worker compute the next one.
      const gOut = new Float32Array(dim);
      let batch: Batch | undefined;
      // TensorFlow.js compiles its kernels on the first pass: do it before asking for parameters, so
      // the first measured gradient is like the others and every worker starts ready (built-in
      // objectives have nothing to warm up, and some count their gradients).
      if (config.model !== undefined) await oracle.gradient(oracle.init(config.seed), batches.at(0));
      let sentAt = performance.now();
      await dealer.send(encodeMessage({ type: 'pull', ...base }));
      for (;;) {
        const { header, payload } = await receive(dim);
        const commSec = (performance.now() - sentAt) / 1000;
        if (header.type === 'stop') return { worker: slot, gradients, reason: header.reason };
        if (header.type === 'reject') throw new PsRejectedError(header.reason);
        if (header.type !== 'params') throw new Error(`unexpected "${header.type}" from the server`);
        new Uint8Array(x.buffer).set(payload!);
        const t0 = performance.now();
        batch = batches.at(header.batch, batch);
        const { loss, g } = await oracle.gradient(x, batch, gOut);
        const computeSec = (performance.now() - t0) / 1000;
        const wait = delayMs(computeSec);
        if (wait > 0) await sleep(wait);
        const delaySec = (performance.now() - t0) / 1000 - computeSec;
        gradients++;
        sentAt = performance.now();
        await dealer.send(encodeMessage(
          { type: 'push', ...base, version: header.version, batch: header.batch, dim, dtype: PS_DTYPE, loss: Number.isFinite(loss) ? loss : null, computeSec, delaySec, commSec },
          g,
        ));
      }
    } catch (e) {
      // Tell the server, so that it drops this worker's gradient at once instead of waiting for it
      // (unless the server already let this worker go).
      if (!dealer.closed && !(e instanceof PsRejectedError)) await dealer.send(encodeMessage({ type: 'bye', ...base, error: (e as Error).message.slice(0, 4000) })).catch(() => {});
      throw e;
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    oracle?.dispose();
    if (!dealer.closed) dealer.close();
  }
}
