import type { Rule, UpdateStats } from '../../rules/makeRule.ts';
import type { LrSchedule } from '../../schedule/lrSchedule.ts';

/** Parameters handed to one worker: x_i = send(i), the server's version then, and the batch index it computes on. */
export interface Assignment {
  slot: number;
  version: number;
  batch: number;
  x: Float32Array;
}

/** What a push brings besides the gradient. */
export interface PushTimes {
  loss: number;
  computeSec: number;
  delaySec: number;
  commSec: number;
}

/** One applied update, for the updates table. */
export interface Applied extends PushTimes {
  step: number;
  /** null for an SSGD round. */
  worker: number | null;
  tau: number;
  /** The version the gradient's parameters had. */
  pullVersion: number;
  batch: number;
  lr: number;
  st: UpdateStats;
  samples: number;
}

/**
 * The server's bookkeeping of θ (ALGORITHMS.md §1–2): which worker holds which parameters, the
 * version (= updates applied) and the batch indices handed out. Staleness is
 * τ = version at apply − version at pull, from this bookkeeping alone, never from arrival order.
 */
export interface PsMaster {
  readonly version: number;
  readonly samples: number;
  /** Hand parameters to some of the waiting slots (ascending) now, given how many workers are live. */
  assign(waiting: readonly number[], live: number): Assignment[];
  /** Apply slot's gradient (rewritten in place); null while an SSGD round waits for others. */
  push(slot: number, g: Float32Array, times: PushTimes): Applied | null;
  /** Slot's parameters are lost (the worker left); may complete an SSGD round. */
  drop(slot: number): Applied | null;
}

/**
 * Asynchronous rules, exactly the simulator's master: at a pull x_i = send(i, η(samples)) and
 * the next batch index; at a push receive(i, x_i, g, { τ, η(samples) }). No more parameters go
 * out than the budget can still apply, so every handed-out batch is applied or dropped.
 */
export class AsyncMaster implements PsMaster {
  version = 0;
  samples = 0;
  private inFlight = 0;
  private nextBatch = 0;
  private readonly sent: Float32Array[];
  private readonly pulledAt: Float64Array;
  private readonly batchOf: Float64Array;

  constructor(private readonly rule: Rule, private readonly lrAt: LrSchedule, private readonly batchSize: number, private readonly budget: number) {
    this.sent = new Array(rule.workers);
    this.pulledAt = new Float64Array(rule.workers);
    this.batchOf = new Float64Array(rule.workers);
  }

  assign(waiting: readonly number[]): Assignment[] {
    const out: Assignment[] = [];
    for (const slot of waiting) {
      if (this.version + this.inFlight >= this.budget) break;
      const x = (this.sent[slot] ??= new Float32Array(this.rule.dim));
      this.rule.send(slot, this.lrAt(this.samples), x);
      this.pulledAt[slot] = this.version;
      this.batchOf[slot] = this.nextBatch++;
      this.inFlight++;
      out.push({ slot, version: this.version, batch: this.batchOf[slot], x });
    }
    return out;
  }

  push(slot: number, g: Float32Array, times: PushTimes): Applied {
    const tau = this.version - this.pulledAt[slot];
    const lr = this.lrAt(this.samples);
    const st = this.rule.receive(slot, this.sent[slot], g, { tau, lr });
    this.inFlight--;
    this.version++;
    this.samples += this.batchSize;
    return { step: this.version, worker: slot, tau, pullVersion: this.pulledAt[slot], batch: this.batchOf[slot], lr, st, samples: this.samples, ...times };
  }

  drop(): null {
    this.inFlight--;
    return null;
  }
}

/**
 * SSGD barrier rounds (the simulator's simulateSync): a round starts when every live worker is
 * waiting; all get the same x = send(0) and batches round·N + slot; the gradients that come back
 * (a worker that leaves mid-round is left out) are averaged in slot order and applied once, τ = 0.
 */
export class SyncMaster implements PsMaster {
  version = 0;
  samples = 0;
  private rounds = 0;
  private open = false;
  private lr = 0;
  private readonly x: Float32Array;
  private readonly mean: Float32Array;
  private readonly out = new Set<number>();
  private readonly back = new Map<number, { g: Float32Array; times: PushTimes }>();
  private readonly spare: Float32Array[] = [];

  constructor(private readonly rule: Rule, private readonly lrAt: LrSchedule, private readonly batchSize: number, private readonly budget: number) {
    this.x = new Float32Array(rule.dim);
    this.mean = new Float32Array(rule.dim);
  }

  assign(waiting: readonly number[], live: number): Assignment[] {
    if (this.open || this.version >= this.budget || waiting.length === 0 || waiting.length < live) return [];
    this.lr = this.lrAt(this.samples);
    this.rule.send(0, this.lr, this.x);
    this.open = true;
    const n = this.rule.workers;
    const round = this.rounds++;
    return waiting.map((slot) => {
      this.out.add(slot);
      return { slot, version: this.version, batch: round * n + slot, x: this.x };
    });
  }

  push(slot: number, g: Float32Array, times: PushTimes): Applied | null {
    const keep = this.spare.pop() ?? new Float32Array(this.rule.dim);
    keep.set(g);
    this.back.set(slot, { g: keep, times });
    return this.closeIfDone();
  }

  drop(slot: number): Applied | null {
    this.out.delete(slot);
    return this.closeIfDone();
  }

  private closeIfDone(): Applied | null {
    for (const slot of this.out) if (!this.back.has(slot)) return null;
    const slots = [...this.back.keys()].sort((a, b) => a - b);
    this.out.clear();
    this.open = false;
    if (slots.length === 0) return null;
    const mean = this.mean.fill(0);
    let loss = 0;
    const worst = { computeSec: 0, delaySec: 0, commSec: 0 };
    for (const slot of slots) {
      const { g, times } = this.back.get(slot)!;
      for (let j = 0; j < mean.length; j++) mean[j] += g[j];
      loss += times.loss;
      worst.computeSec = Math.max(worst.computeSec, times.computeSec);
      worst.delaySec = Math.max(worst.delaySec, times.delaySec);
      worst.commSec = Math.max(worst.commSec, times.commSec);
      this.spare.push(g);
    }
    this.back.clear();
    const k = slots.length;
    for (let j = 0; j < mean.length; j++) mean[j] /= k;
    const st = this.rule.receive(0, this.x, mean, { tau: 0, lr: this.lr });
    const pullVersion = this.version;
    this.version++;
    this.samples += k * this.batchSize;
    // The round's slowest worker sets its times.
    return { step: this.version, worker: null, tau: 0, pullVersion, batch: (this.rounds - 1) * this.rule.workers + slots[0], lr: this.lr, st, samples: this.samples, loss: loss / k, ...worst };
  }
}
