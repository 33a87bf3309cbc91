/**
 * A binary min-heap of (time, worker) events: the next job to finish is the one with the smallest
 * time, ties broken by the smaller worker id (ALGORITHMS.md §1). Fixed capacity, no allocation per
 * push/pop.
 */
export class EventHeap {
  private readonly times: Float64Array;
  private readonly workers: Int32Array;
  private n = 0;

  constructor(capacity: number) {
    this.times = new Float64Array(capacity);
    this.workers = new Int32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  private before(a: number, b: number): boolean {
    const ta = this.times[a];
    const tb = this.times[b];
    return ta < tb || (ta === tb && this.workers[a] < this.workers[b]);
  }

  private swap(a: number, b: number): void {
    const t = this.times[a];
    this.times[a] = this.times[b];
    this.times[b] = t;
    const w = this.workers[a];
    this.workers[a] = this.workers[b];
    this.workers[b] = w;
  }

  push(time: number, worker: number): void {
    if (this.n === this.times.length) throw new Error(`EventHeap: full (capacity ${this.times.length})`);
    let i = this.n++;
    this.times[i] = time;
    this.workers[i] = worker;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Remove the earliest event; read it from `lastTime` / `lastWorker`. */
  pop(): void {
    if (this.n === 0) throw new Error('EventHeap: empty');
    this.lastTime = this.times[0];
    this.lastWorker = this.workers[0];
    this.n--;
    if (this.n === 0) return;
    this.times[0] = this.times[this.n];
    this.workers[0] = this.workers[this.n];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.n && this.before(l, m)) m = l;
      if (r < this.n && this.before(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }

  lastTime = NaN;
  lastWorker = -1;
}
