/** Timed passes of each size before two sizes are compared, after one untimed warm-up pass. */
const PASSES = 3;

/**
 * A larger group is kept only when its time per gradient is clearly lower: a group holds its
 * gradients and minibatches until they are applied, which costs memory traffic and garbage
 * collection that short timings do not see (tfjs on wasm kept groups that were 5–15 % slower over
 * a whole run when any gain counted).
 */
const MARGIN = 0.9;

/**
 * Sizes are compared by their fastest timed pass: the machine's noise only adds time (here the
 * same pass varies by 25 % from one half-second to the next), and medians of three let neutral
 * sizes on wasm (1, 4 and 16 cost the same per gradient) win in turn, by chance, over identical
 * runs. A size's first pass is not timed: it runs cold (new shapes, first allocations; 2–3× a
 * warm one).
 */
const fastest = (xs: number[]): number => Math.min(...xs);
/**
 * Chooses the group size of in-flight gradient passes by timing them: one by one against groups
 * of 4, then the better against 16, 64, … up to the configured largest, alternating the two sizes
 * compared, and stops at the first size that is not clearly faster per gradient. Small groups come
 * first, so where grouping does not pay (a CPU, a convolutional net) little of the run is spent
 * finding out; where it does (a GPU's round trip per pass) the ladder is climbed in a few passes.
 */
export class GroupCalibration {
  private readonly ladder: number[];
  private rung = 0;
  private best = 1;
  /** Timings of the best size and of the candidate; NaN first: the untimed warm-up pass. */
  private bestMs: number[] = [];
  private candidateMs: number[] = [];
  /** The size kept (null while calibrating). */
  decided: number | null;

  constructor(maxGroup: number) {
    const ladder: number[] = [];
    for (let s = 4; s < maxGroup; s *= 4) ladder.push(s);
    if (maxGroup > 1) ladder.push(maxGroup);
    this.ladder = ladder;
    this.decided = ladder.length === 0 ? 1 : null;
  }

  /** The size of the next pass, and whether it is the candidate being timed against the best. */
  next(): { size: number; candidate: boolean } {
    if (this.decided !== null) return { size: this.decided, candidate: false };
    const candidate = this.candidateMs.length < this.bestMs.length;
    return { size: candidate ? this.ladder[this.rung] : this.best, candidate };
  }

  /** A timed pass of the size `next()` gave: its time per gradient computed. */
  record(candidate: boolean, msPerGradient: number): void {
    if (this.decided !== null) return;
    const times = candidate ? this.candidateMs : this.bestMs;
    times.push(times.length === 0 ? NaN : msPerGradient);
    if (this.bestMs.length <= PASSES || this.candidateMs.length <= PASSES) return;
    if (fastest(this.candidateMs.slice(1)) >= MARGIN * fastest(this.bestMs.slice(1))) {
      this.decided = this.best;
      return;
    }
    this.best = this.ladder[this.rung++];
    // Timed afresh in turn with the next candidate (drift since its own passes would count), but
    // already warm.
    this.bestMs = [NaN];
    this.candidateMs = [];
    if (this.rung === this.ladder.length) this.decided = this.best;
  }
}
