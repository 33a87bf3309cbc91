import { writeAtomic } from '../src/results/atomicWrite.ts';
import { sourceRevision } from '../src/run/provenance.ts';
import os from 'node:os';

/** One measured figure, as `--json` writes it: comparable across commits by name and backend. */
export interface Figure {
  name: string;
  backend: string;
  value: number;
  unit: string;
  /** value / (the figure named in ratioTo), both measured in this run. */
  ratio?: number;
  ratioTo?: string;
  note?: string;
}

/**
 * A target checked against a ratio measured in this run: the median of its rounds (each round
 * measures both sides, interleaved), with the spread of the rounds.
 */
export interface TargetCheck {
  target: number | string;
  what: string;
  ratio: number;
  /** Smallest and largest ratio over the rounds. */
  spread?: [number, number];
  rounds?: number;
  /** 'le': pass when ratio ≤ bound; 'ge': pass when ratio ≥ bound. */
  compare: 'le' | 'ge';
  bound: number;
  note: string;
}

export function passes(t: TargetCheck): boolean {
  return t.compare === 'le' ? t.ratio <= t.bound : t.ratio >= t.bound;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Collects figures and target checks, prints them as they come, and writes them as JSON. */
export class FigureLog {
  readonly figures: Figure[] = [];
  readonly targets: TargetCheck[] = [];
  readonly skipped: string[] = [];

  add(f: Figure): Figure {
    this.figures.push(f);
    const ratio = f.ratio !== undefined ? `  ratio ${f.ratio.toFixed(3)} to ${f.ratioTo}` : '';
    console.log(`  ${f.name.padEnd(44)} ${f.backend.padEnd(5)} ${fmt(f.value).padStart(10)} ${f.unit.padEnd(9)}${ratio}${f.note ? `  (${f.note})` : ''}`);
    return f;
  }

  check(t: TargetCheck): void {
    this.targets.push(t);
  }

  skip(what: string): void {
    this.skipped.push(what);
    console.log(`  skipped: ${what}`);
  }

  /** A target from the ratios of several interleaved rounds: their median, and their spread. */
  checkRounds(t: Omit<TargetCheck, 'ratio' | 'spread' | 'rounds'>, ratios: readonly number[]): TargetCheck {
    const check = { ...t, ratio: median(ratios), spread: [Math.min(...ratios), Math.max(...ratios)] as [number, number], rounds: ratios.length };
    this.check(check);
    return check;
  }

  printTargets(): void {
    console.log('\n== Targets (issue 11), ratios measured in this run: median of the rounds [min–max]');
    console.log(`  ${'#'.padEnd(2)} ${'what'.padEnd(56)} ${'ratio'.padStart(7)} ${'spread'.padEnd(13)}  target   result`);
    for (const t of this.targets) {
      const bound = `${t.compare === 'le' ? '≤' : '≥'} ${t.bound}`;
      const spread = t.spread ? `[${t.spread[0].toFixed(2)}–${t.spread[1].toFixed(2)}]` : '';
      console.log(`  ${String(t.target).padEnd(2)} ${t.what.padEnd(56)} ${t.ratio.toFixed(3).padStart(7)} ${spread.padEnd(13)}  ${bound.padEnd(7)}  ${passes(t) ? 'PASS' : 'FAIL'}  ${t.note}`);
    }
    if (this.skipped.length) console.log(`  not measured: ${this.skipped.join('; ')}`);
  }

  writeJson(file: string, meta: Record<string, unknown>): void {
    const machine = { cores: os.availableParallelism(), cpu: os.cpus()[0]?.model ?? 'unknown', node: process.versions.node, loadavg: os.loadavg() };
    const targets = this.targets.map((t) => ({ ...t, pass: passes(t) }));
    // The commit measured, so a recorded run compares with a later one.
    writeAtomic(file, JSON.stringify({ when: new Date().toISOString(), source: sourceRevision(), machine, ...meta, figures: this.figures, targets, skipped: this.skipped }, null, 2));
    console.log(`\nwrote ${file}`);
  }
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

/**
 * The order of a round's measurements: as given in even rounds, reversed in odd ones, so that a
 * drift of the machine's speed within a round (wasm's by 30 % within seconds here) favours
 * neither side of a ratio.
 */
export function inTurn<T>(round: number, items: readonly T[]): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}
