import os from 'node:os';
import { Router } from 'zeromq';
import { ConfigError } from '../../config/validate.ts';
import { decodeMessage, encodeMessage, HEARTBEAT, MAX_HEADER_BYTES, MAX_SERVER_HEADER_BYTES, PS_DTYPE, PS_PROTOCOL, readFloats, tokensEqual, workerHeaderSchema, type WorkerHeader } from './psFrames.ts';

type PushHeader = Extract<WorkerHeader, { type: 'push' }>;

/** What the run loop hears from the server: workers' requests, in the order they arrived. */
export type PsEvent =
  | { kind: 'joined'; slot: number; pid: number; host: string }
  /** The worker waits for parameters (after its hello, or with every push). */
  | { kind: 'want'; slot: number }
  /** A validated gradient, copied into `g` (reused by the next push); `finite`: every entry is. The worker waits for its next parameters. */
  | { kind: 'push'; slot: number; header: PushHeader; g: Float32Array; finite: boolean; startedAt: number }
  /** The worker is gone; `held`: it had parameters out (its gradient is lost). */
  | { kind: 'left'; slot: number; held: boolean; reason: string; error: string | null }
  | { kind: 'tick' }
  | { kind: 'exit'; pid: number; code: number | null; signal: string | null };

type Inbound = { kind: 'frames'; frames: Buffer[] } | { kind: 'tick' } | { kind: 'exit'; pid: number; code: number | null; signal: string | null };

interface Slot {
  id: Buffer;
  key: string;
  pid: number;
  host: string;
  lastSeen: number;
  /** The parameters out at this worker: the version and batch its push must echo. */
  held: { version: number; batch: number } | null;
  /** Whether it has asked for parameters yet (before that it is building its problem). */
  ready: boolean;
}

export interface PsServerOptions {
  /** tcp://ADDRESS:PORT to bind. */
  address: string;
  token: string;
  dim: number;
  slots: number;
  /** The validated run config, sent to every worker in its welcome. */
  workerConfig: object;
  workerTimeoutSec: number;
  /** Seconds a joined worker may take to build its problem and ask for parameters. */
  readyTimeoutSec: number;
  log: (line: string) => void;
}

/** Rejections logged in full before the log thins out to every LOG_EVERY-th (a flood must not flood stderr). */
const LOG_FIRST = 20;
const LOG_EVERY = 1000;

/**
 * The server side of the wire: one ROUTER socket, admission by token, worker slots bound to
 * ZeroMQ routing ids, and validation of every frame (count, header, token, worker id, the version
 * and batch a push must echo, dtype, byte length). Anything malformed is rejected with a reason
 * (counted and logged) and never reaches the rule; a worker that sends one is let go. Messages,
 * child exits and timer ticks go through one queue, so the run loop handles one thing at a time.
 */
export class PsServer {
  readonly counts = { joined: 0, left: 0, rejected: 0, refused: 0, evicted: 0, workerErrors: 0 };
  readonly rejectReasons = new Map<string, number>();
  lastWorkerError: string | null = null;
  endpoint = '';
  private readonly router: Router;
  private readonly slots: (Slot | null)[];
  private readonly byKey = new Map<string, number>();
  private readonly inbox: Inbound[] = [];
  private wake: (() => void) | null = null;
  private tickQueued = false;
  private readonly g: Float32Array;
  private pump: Promise<void> | null = null;
  private readonly hostname = os.hostname();

  constructor(private readonly opts: PsServerOptions) {
    this.slots = new Array(opts.slots).fill(null);
    this.g = new Float32Array(opts.dim);
    // ZeroMQ itself drops a peer whose frame is beyond any valid message (so a huge frame never reaches memory here).
    this.router = new Router({ ...HEARTBEAT, maxMessageSize: 4 * opts.dim + MAX_HEADER_BYTES + 1024, linger: 1000 });
  }

  async bind(): Promise<string> {
    try {
      await this.router.bind(this.opts.address);
    } catch (e) {
      this.router.close();
      throw new ConfigError(`config.listen / config.port: cannot listen on ${this.opts.address} (${(e as Error).message})`);
    }
    this.endpoint = this.router.lastEndpoint ?? this.opts.address;
    this.pump = this.receiveAll();
    return this.endpoint;
  }

  private async receiveAll(): Promise<void> {
    // Workers have at most one message outstanding each; beyond this backlog only a flood is queued.
    const cap = 4 * this.opts.slots + 256;
    try {
      for await (const frames of this.router) {
        if (this.inbox.length >= cap) {
          this.reject(undefined, frames[0], 'server backlog full');
          continue;
        }
        // A worker is alive when its message arrives, however long the run loop takes to get to it (an evaluation).
        const slot = this.byKey.get(frames[0].toString('hex'));
        if (slot !== undefined) this.slots[slot]!.lastSeen = performance.now();
        this.post({ kind: 'frames', frames });
      }
    } catch (e) {
      if (!this.router.closed) this.opts.log(`receive loop ended: ${(e as Error).message}`);
    }
  }

  /** Queue an event for the run loop (child exits, timer ticks; ticks are coalesced). */
  post(ev: Inbound): void {
    if (ev.kind === 'tick') {
      if (this.tickQueued) return;
      this.tickQueued = true;
    }
    this.inbox.push(ev);
    this.wake?.();
  }

  /** The next events, after handling one inbound message. */
  async next(): Promise<PsEvent[]> {
    while (this.inbox.length === 0) await new Promise<void>((r) => (this.wake = r));
    this.wake = null;
    const ev = this.inbox.shift()!;
    if (ev.kind === 'tick') {
      this.tickQueued = false;
      return [...this.evictSilent(), { kind: 'tick' }];
    }
    if (ev.kind === 'exit') {
      // Local worker processes are known by pid on this host.
      const slot = this.slots.findIndex((s) => s?.pid === ev.pid && s.host === this.hostname);
      const how = ev.signal ? `killed by ${ev.signal}` : `exited with code ${ev.code}`;
      return [...(slot >= 0 ? [this.release(slot, `worker process ${ev.pid} ${how}`, null)] : []), ev];
    }
    return this.handle(ev.frames);
  }

  private handle(all: Buffer[]): PsEvent[] {
    const startedAt = performance.now();
    const [id, ...frames] = all;
    const key = id.toString('hex');
    const known = this.byKey.get(key);
    // The run's dim is checked after the token: a peer without it learns nothing about the run.
    const m = decodeMessage(frames, workerHeaderSchema, null);
    if (!m.ok) return this.reject(known, id, m.reason);
    const h = m.header;
    if (!tokensEqual(h.token, this.opts.token)) {
      if (h.type === 'hello') return this.refuse(id, 'wrong token');
      return this.reject(known, id, 'wrong token');
    }
    if (h.type === 'push' && h.dim !== this.opts.dim) return this.reject(known, id, `dim ${h.dim}; this run's vectors have ${this.opts.dim}`);
    if (h.type === 'hello') {
      if (known !== undefined) return this.reject(known, id, 'hello from a worker that already joined');
      if (h.protocol !== PS_PROTOCOL) return this.refuse(id, `protocol ${h.protocol}; this server speaks ${PS_PROTOCOL}`);
      const slot = this.slots.indexOf(null);
      if (slot < 0) return this.refuse(id, `all ${this.opts.slots} worker slots are taken`);
      this.slots[slot] = { id, key, pid: h.pid, host: h.host, lastSeen: performance.now(), held: null, ready: false };
      this.byKey.set(key, slot);
      this.counts.joined++;
      this.send(id, { type: 'welcome', worker: slot, dim: this.opts.dim, config: this.opts.workerConfig }, undefined, MAX_SERVER_HEADER_BYTES);
      return [{ kind: 'joined', slot, pid: h.pid, host: h.host }];
    }
    if (known === undefined) return this.reject(undefined, id, `${h.type} from a peer that has not joined`);
    if (h.worker !== known) return this.reject(known, id, `worker id ${h.worker} does not match this connection's slot ${known}`);
    const s = this.slots[known]!;
    s.lastSeen = performance.now();
    switch (h.type) {
      case 'pull':
        if (s.held) return this.reject(known, id, 'pull while holding parameters');
        s.ready = true;
        return [{ kind: 'want', slot: known }];
      case 'bye':
        if (h.error !== null) {
          this.counts.workerErrors++;
          this.lastWorkerError = `worker ${known} (pid ${s.pid} on ${s.host}): ${h.error}`;
          this.opts.log(`${this.lastWorkerError}`);
        }
        return [this.release(known, h.error === null ? 'said bye' : 'failed', h.error)];
      case 'push': {
        if (!s.held) return this.reject(known, id, 'push without parameters out');
        if (h.version !== s.held.version || h.batch !== s.held.batch) {
          return this.reject(known, id, `push of version ${h.version}, batch ${h.batch}; this worker was sent version ${s.held.version}, batch ${s.held.batch}`);
        }
        s.held = null;
        const finite = readFloats(m.payload!, this.g);
        return [{ kind: 'push', slot: known, header: h, g: this.g, finite, startedAt }];
      }
    }
  }

  /** Hand parameters to a worker (a view is sent: `x` must not change until the worker pushed). */
  sendParams(slot: number, version: number, batch: number, x: Float32Array): void {
    const s = this.slots[slot]!;
    s.held = { version, batch };
    s.lastSeen = performance.now();
    this.send(s.id, { type: 'params', version, batch, dim: this.opts.dim, dtype: PS_DTYPE }, x);
  }

  /** Tell every worker to stop; returns the slots that still had parameters out. */
  stopAll(reason: string): number {
    let held = 0;
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i];
      if (!s) continue;
      if (s.held) held++;
      this.send(s.id, { type: 'stop', reason });
      this.slots[i] = null;
      this.byKey.delete(s.key);
    }
    return held;
  }

  live(): number[] {
    const out: number[] = [];
    this.slots.forEach((s, i) => s && out.push(i));
    return out;
  }

  holds(slot: number): boolean {
    return this.slots[slot]?.held != null;
  }

  pidOf(slot: number): number | null {
    return this.slots[slot]?.pid ?? null;
  }

  async close(): Promise<void> {
    this.router.close();
    await this.pump;
  }

  private send(id: Buffer, header: object, payload?: Float32Array, maxHeader?: number): void {
    // A ROUTER send never blocks (unroutable messages are dropped): no need to await.
    this.router.send([id, ...encodeMessage(header, payload, maxHeader)]).catch((e: Error) => this.opts.log(`send failed: ${e.message}`));
  }

  private release(slot: number, reason: string, error: string | null): PsEvent {
    const s = this.slots[slot]!;
    this.slots[slot] = null;
    this.byKey.delete(s.key);
    this.counts.left++;
    return { kind: 'left', slot, held: s.held !== null, reason, error };
  }

  private evictSilent(): PsEvent[] {
    const out: PsEvent[] = [];
    const now = performance.now();
    this.slots.forEach((s, i) => {
      // Silent with parameters out, or joined and never ready; a worker waiting for parameters is silent by right.
      const limit = s?.held ? this.opts.workerTimeoutSec : s && !s.ready ? this.opts.readyTimeoutSec : Infinity;
      if (!s || now - s.lastSeen < limit * 1000) return;
      this.counts.evicted++;
      const what = s.held ? 'with parameters out: its gradient is dropped' : 'without asking for parameters';
      this.opts.log(`worker ${i} (pid ${s.pid} on ${s.host}) silent for ${limit} s ${what}`);
      this.send(s.id, { type: 'stop', reason: `silent for more than ${limit} s` });
      out.push(this.release(i, 'timed out', null));
    });
    return out;
  }

  private refuse(id: Buffer, reason: string): PsEvent[] {
    this.counts.refused++;
    this.opts.log(`refused a worker: ${reason}`);
    this.send(id, { type: 'refuse', reason });
    return [];
  }

  /** Count and log a bad message, answer with the reason; a joined worker that sent it is let go. */
  private reject(slot: number | undefined, id: Buffer | undefined, reason: string): PsEvent[] {
    const n = ++this.counts.rejected;
    const kind = reason.replace(/\d+/g, 'N');
    this.rejectReasons.set(kind, (this.rejectReasons.get(kind) ?? 0) + 1);
    if (n <= LOG_FIRST || n % LOG_EVERY === 0) this.opts.log(`rejected a message${slot !== undefined ? ` from worker ${slot}` : ''} (${n} so far): ${reason}`);
    if (id) this.send(id, { type: 'reject', reason });
    return slot === undefined ? [] : [this.release(slot, `sent a rejected message (${reason})`, null)];
  }
}
