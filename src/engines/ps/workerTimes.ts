import type { Cell } from '../../results/columnLog.ts';

interface Sums {
  updates: number;
  compute: number;
  delay: number;
  comm: number;
}

const mean = (sum: number, n: number): number | null => (n > 0 ? sum / n : null);
const round = (x: number | null): number | null => (x === null ? null : Number(x.toPrecision(4)));

/**
 * Where the time of a parameter-server run went, over every applied update (not only the logged
 * rows): each worker's compute, injected delay and communication (its wait for parameters), and
 * the server's own time per update (validating, copying, the rule's receive and send, framing).
 */
export class WorkerTimes {
  private readonly perWorker: Sums[];
  private readonly all: Sums = { updates: 0, compute: 0, delay: 0, comm: 0 };
  private server = 0;

  constructor(workers: number) {
    this.perWorker = Array.from({ length: workers }, () => ({ updates: 0, compute: 0, delay: 0, comm: 0 }));
  }

  add(worker: number | null, t: { computeSec: number; delaySec: number; commSec: number }, serverSec: number): void {
    for (const s of worker === null ? [this.all] : [this.all, this.perWorker[worker]]) {
      s.updates++;
      s.compute += t.computeSec;
      s.delay += t.delaySec;
      s.comm += t.commSec;
    }
    this.server += serverSec;
  }

  summary(): Record<string, Cell> {
    const a = this.all;
    const workers = Object.fromEntries(
      this.perWorker.flatMap((s, i) => (s.updates === 0 ? [] : [[i, { updates: s.updates, compute_sec: round(s.compute / s.updates), delay_sec: round(s.delay / s.updates), comm_sec: round(s.comm / s.updates) }]])),
    );
    return {
      compute_sec_mean: mean(a.compute, a.updates),
      delay_sec_mean: mean(a.delay, a.updates),
      comm_sec_mean: mean(a.comm, a.updates),
      server_sec_per_update: mean(this.server, a.updates),
      worker_times: JSON.stringify(workers),
    };
  }
}
