// %% [markdown]
// # 01 · Gap-Aware: penalising stale gradients by the gap, not by the staleness
//
// **Paper.** Barkai, Hakimi, Schuster, *Gap Aware Mitigation of Gradient Staleness*,
// International Conference on Learning Representations (ICLR) 2020,
// [arXiv:1909.10802](https://arxiv.org/abs/1909.10802).
//
// **What the paper claims.** Gap-Aware (GA, Barkai et al.) divides each coordinate of a stale
// gradient by G = 1 + |θ_now − x_read| / C, the *gap* — how far that parameter moved since the
// worker read it — measured in units C of one typical step of that coordinate. Staleness-Aware
// (SA) instead divides the whole gradient by the staleness τ (≈ N − 1 with N workers), which
// penalises every coordinate equally and grows with N even when the parameters barely moved.
// The paper's claims: GA reaches a higher final accuracy than SA at every number of workers, and
// with GA momentum helps even at large N (where plain asynchronous momentum suffers).
// (The paper's text could not be read here; the rule follows ALGORITHMS.md §2.1, and no number
// of the paper is targeted below.)
//
// **What this notebook does.** It trains the same model with the same recipe (no retuning per N)
// under SSGD (the papers' synchronous baseline), ASGD, SA and GA, each with and without momentum,
// over several worker counts and seeds on the simulated cluster, under **the authors' protocol**
// (`preset: 'authors'`, read from their public simulator, docs/PROTOCOL.md): job times
// Gamma(shape 100, mean B), so workers finish nearly in turn and τ ≈ N − 1 with a narrow spread;
// a linear warm-up from η/N over the first 5/160 of the budget (at least 200 updates); η × 0.1 at
// 1/2 and 3/4 of the budget; evaluation at the master θ (and the look-ahead, logged beside it).
// One **contrast** sweep reruns the rules at the largest N under the project's earlier protocol
// (Gamma shape 4: a long tail of stale gradients; no warm-up or decay in the small profiles), so
// the reader sees what the protocol changes. Every claim is judged from ≥ 2 seeds with a 95 %
// Welch interval (`compareForClaim`) for each protocol, and for the recorded `medium` sweep
// (full MNIST, experiments/medium-gap-aware.json) where one has been recorded. The prose is
// computed from the tables.

// %%
import * as tslab from 'tslab';
import * as aq from 'arquero';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  sweep, interruptible, stackTables, notebookProfile, forProfile, NotebookReport, errorBarFigure, curveFigure, histogramFigure,
  accuracyOverTimeFigure, speedupTable, scaledLearningRates, stepSizeStudyTable, bestStepSizes, meanInterval,
  formatDifference, loadRecordedSweep, cellAccuracies, runAccuracy, formatMeanInterval, judgeCells, protocolContrastLine,
} from 'stalelab';

const profile = notebookProfile();
const report = new NotebookReport({ notebook: '01-gap-aware', profile, display: tslab.display });
const fmt = (x: unknown, digits = 3): string => (typeof x === 'number' && Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : 'n/a');
const pct = (x: unknown): string => (typeof x === 'number' && Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');

// One recipe for every rule and every N (the papers' "no retuning"); epochs count samples.
// `earlierSchedule` is the contrast protocol's learning-rate schedule (the authors' preset brings its own).
const S = forProfile(profile, {
  smoke: {
    problem: { model: { name: 'logreg' }, dataset: { name: 'mnist', trainSize: 512, testSize: 256 } },
    batchSize: 32, epochs: 1, lr: 0.05, weightDecay: 0, earlierSchedule: { kind: 'constant' },
    workers: [1, 4], seeds: [0, 1], evalEvery: 4,
  },
  quick: {
    problem: { model: { name: 'mlp', widths: [64] }, dataset: { name: 'mnist', trainSize: 6000, testSize: 2000 } },
    batchSize: 32, epochs: 4, lr: 0.05, weightDecay: 0, earlierSchedule: { kind: 'constant' },
    workers: [1, 8, 32], seeds: [0, 1, 2], evalEvery: 50,
  },
  // experiments/medium-gap-aware.json: MLP 784-128-10 on full MNIST, 7,500 updates.
  medium: {
    problem: { model: { name: 'mlp', widths: [128] }, dataset: { name: 'mnist' } },
    batchSize: 128, epochs: 16, lr: 0.1, weightDecay: 1e-4, earlierSchedule: { kind: 'step', milestoneFractions: [0.5, 0.75], factor: 0.1 },
    workers: [1, 4, 8, 16, 32], seeds: [0, 1, 2], evalEvery: 500,
  },
  full: {
    problem: { model: { name: 'resnet20' }, dataset: { name: 'cifar10', standardize: true } },
    batchSize: 128, epochs: 160, lr: 0.1, weightDecay: 1e-4, earlierSchedule: { kind: 'step', milestones: [80, 120], factor: 0.1 },
    workers: [1, 4, 8, 16, 24, 32, 48, 64], seeds: [0, 1, 2], evalEvery: 391,
  },
});
const rules = ['ssgd', 'asgd', 'sa', 'ga', 'momentum-asgd', 'sa-momentum', 'ga-momentum'];
const Nmax = Math.max(...S.workers);
// Weight decay is the rule's (a weight-decay transform first); each named rule takes it as a parameter.
const withDecay = (names: string[]) => names.map((name) => (S.weightDecay > 0 ? { name, weightDecay: S.weightDecay } : name));
// Saved runs resume after an interrupt in the long profiles.
const outDir = (name: string) => (profile === 'medium' || profile === 'full' ? { outDir: join('..', 'runs', `01-gap-aware-${profile}-${name}`) } : {});
// The recorded medium-scale sweep (experiments/recordSweep.ts), shown beside the live runs.
// STALELAB_RECORDED_ROOT points elsewhere (a recording in progress, another date).
const RECORDED_DIR = join(process.env.STALELAB_RECORDED_ROOT ?? join('..', 'experiments', 'results', 'medium-2026-12-01'), 'medium-gap-aware');
const ACC = 'final_test_accuracy';
// 10 classes: a diverged run counts as chance accuracy in every comparison, not as a missing value.
const CHANCE = 0.1;
console.log(`profile ${profile}: ${rules.length} rules × N ∈ {${S.workers.join(', ')}} × ${S.seeds.length} seeds (authors' protocol) + ${rules.length} rules at N = ${Nmax} (contrast)`);

// %% [markdown]
// ## The sweeps
//
// `sweep({ base, vary })` runs the Cartesian product of the varied fields and returns the
// concatenated `updates` and `evals` tables (tagged with the varied fields) and one row per run in
// `runs`. The kernel's interrupt button stops a sweep after the update in flight and keeps the runs
// finished so far (`interruptible`); in the `medium` and `full` profiles every run is also saved
// under `runs/`, so an interrupted sweep resumes where it stopped.

// %%
const common = { ...S.problem, batchSize: S.batchSize, epochs: S.epochs, lr: S.lr, evalEvery: S.evalEvery, profile: profile, rule: 'asgd', workers: 1 };
const authors = await interruptible((control) => sweep({
  base: { ...common, preset: 'authors' },
  vary: { rule: withDecay(rules), workers: [...S.workers], seed: [...S.seeds] },
}, { control, ...outDir('authors') }));
// The contrast: the project's earlier protocol, the same rules at the largest N (and meanTime B, so
// simulated time has the same unit as the authors' protocol; it never changes the order of arrivals).
const contrast = await interruptible((control) => sweep({
  base: { ...common, timing: { kind: 'gamma', shape: 4, meanTime: S.batchSize }, lrSchedule: S.earlierSchedule, evalAt: 'both' },
  vary: { rule: withDecay(rules), workers: [Nmax], seed: [...S.seeds] },
}, { control, ...outDir('contrast') }));
const runs = report.table('runs', authors.runs.select(aq.not('profile')), "one row per run, authors' protocol");
const contrastRuns = report.table('runs_contrast', contrast.runs.select(aq.not('profile')), `one row per run, contrast protocol at N = ${Nmax}`);
for (const [name, r] of [['authors', authors], ['contrast', contrast]] as const) {
  console.log(`${name}: ${r.runs.numRows()} runs, status ${r.status}; ${r.records.filter((x) => x.status === 'diverged').length} diverged`);
}

// %%
type Row = Record<string, unknown>;
type Table = typeof runs;
const rowsOf = (t: Table) => t.objects() as Row[];
/** Per-seed accuracies of one rule at one N (diverged runs at chance). */
const cellValues = (t: Table, rule: string, n: number, column = ACC): number[] => cellAccuracies(rowsOf(t), { rule, workers: n }, { column, chance: CHANCE });
/** Mean ± 95 % interval per rule and N, diverged runs counted (and at chance). */
function accuracySummary(t: Table, protocol: string, column = ACC): Row[] {
  const out: Row[] = [];
  for (const rule of rules) {
    for (const n of [...new Set(rowsOf(t).map((r) => r.workers as number))].sort((a, b) => a - b)) {
      const cell = rowsOf(t).filter((r) => r.rule === rule && r.workers === n);
      if (cell.length === 0) continue;
      const iv = meanInterval(cell.map((r) => runAccuracy(r, column, CHANCE)));
      out.push({ protocol, rule, workers: n, runs: cell.length, diverged: cell.filter((r) => r.status === 'diverged').length, mean: iv.mean, ci_lower: iv.lower, ci_upper: iv.upper });
    }
  }
  return out;
}
// The protocols as the runs recorded them (timing, schedule), not as this notebook describes them.
const protocolOf = (r: { records: readonly { config: unknown }[] }) => {
  const c = (r.records[0]?.config ?? {}) as Row;
  return { timing: JSON.stringify(c.timing), lr_schedule: JSON.stringify(c.lrSchedule), eval_at: String(c.evalAt), preset: String(c.preset ?? 'none') };
};
const protocols = report.table('protocols', aq.from([
  { protocol: 'authors', workers: S.workers.join(' '), runs: authors.runs.numRows(), ...protocolOf(authors) },
  { protocol: 'contrast', workers: String(Nmax), runs: contrast.runs.numRows(), ...protocolOf(contrast) },
]), 'the two protocols, read from the run records');

// %% [markdown]
// ## A recorded medium-scale sweep, if there is one
//
// `experiments/results/medium-2026-12-01/medium-gap-aware/` holds the `medium` sweep
// (experiments/medium-gap-aware.json: MLP 784-128-10, full MNIST, batch 128, 16 epochs, η = 0.1,
// wd 1e-4, N ∈ {1, 4, 8, 16, 32}, 3 seeds, the authors' protocol) as recorded by
// `npx tsx experiments/recordSweep.ts`. Its numbers are read, **not rerun**, and always labelled
// with the commit and date they came from; the live runs above are labelled "live".

// %%
const recorded = existsSync(join(RECORDED_DIR, 'meta.json')) ? loadRecordedSweep(RECORDED_DIR) : null;
if (recorded === null) report.markdown(`*No recorded medium sweep at \`${RECORDED_DIR}\`: only the live runs are shown.*`);
else {
  const m = recorded.meta;
  report.markdown(`**${recorded.label}**: ${m.runs} of ${m.expected} runs of \`${m.source.grid}\`` +
    (m.missingRuns.length ? ` (${m.missingRuns.length} not finished when recorded)` : '') +
    `, ${Object.entries(m.statuses).map(([s, n]) => `${n} ${s}`).join(', ')}; ${m.machine.cores} × ${m.machine.cpu}, median ${fmt(m.wallTimeSec.medianPerRun)} s per run` +
    ` (load average ${m.machine.loadavg.join(', ')} when recorded).`);
}
const recordedRuns = recorded?.runs ?? null;

// %% [markdown]
// ## Final accuracy against the number of workers

// %%
report.figure('accuracy_vs_workers', errorBarFigure(runs, {
  x: { column: 'workers', title: 'workers N', log: true },
  y: { column: ACC, title: 'final test accuracy (fraction correct)' },
  group: { column: 'rule', title: 'rule', order: rules }, seed: 'seed',
  title: "Final test accuracy, authors' protocol (live)",
}));
const accuracyTable = report.table('accuracy_by_rule_and_workers',
  aq.from([...accuracySummary(runs, 'authors'), ...accuracySummary(contrastRuns, 'contrast')]),
  'final test accuracy per protocol, rule and N: mean and 95 % t-interval over seeds (diverged runs at 10 %)');

// %% [markdown]
// ## The claims, per protocol and scale
//
// Each line is the Welch 95 % interval of a difference of means over seeds
// (`compareForClaim`): **reproduced** when the whole interval is above 0, **not reproduced** when it
// is below, **within noise** when it straddles 0 (or a side has one seed). Diverged runs count as
// 10 %.

// %%
interface Source { label: string; runs: Table; workers: number[] }
const sources: Source[] = [
  { label: "authors' protocol (live)", runs: runs, workers: [...S.workers] },
  { label: 'contrast: gamma shape 4, no preset (live)', runs: contrastRuns, workers: [Nmax] },
  ...(recorded && recordedRuns ? [{ label: `medium, authors' protocol, ${recorded.label}`, runs: recordedRuns, workers: [...new Set(rowsOf(recordedRuns).map((r) => r.workers as number))].sort((a, b) => a - b) }] : []),
];
interface Judged { source: string; claim: string; workers: number; a: string; b: string; mean_a: number; mean_b: number; difference: number; lower: number | null; upper: number | null; seeds: number; verdict: string; text: string }
function judge(src: Source, claim: string, a: [string, number], b: [string, number]): Judged | null {
  const j = judgeCells(rowsOf(src.runs), claim, { rule: a[0], workers: a[1] }, { rule: b[0], workers: b[1] }, { chance: CHANCE, column: ACC });
  if (!j) return null;
  const { xa, xb, comparison, margin: _margin, ...row } = j;
  return { source: src.label, ...row, text: `${a[0]} ${formatMeanInterval(xa)} vs ${b[0]} ${formatMeanInterval(xb)}: difference ${formatDifference(comparison)} → **${comparison.verdict}**` };
}
const judged: Judged[] = [];
for (const src of sources) {
  const maxN = Math.max(...src.workers);
  for (const n of src.workers.filter((w) => w > 1)) {
    judged.push(...[judge(src, 'GA > SA (no momentum)', ['ga', n], ['sa', n]), judge(src, 'GA > SA (momentum)', ['ga-momentum', n], ['sa-momentum', n])].filter((j): j is Judged => j !== null));
  }
  const m = judge(src, 'momentum helps GA at the largest N', ['ga-momentum', maxN], ['ga', maxN]);
  if (m) judged.push(m);
}
// The live verdicts are a table of this profile; the recorded ones are shown, not saved as this profile's.
report.table('claims', aq.from(judged.filter((j) => j.source.endsWith('(live)')).map(({ text: _text, ...j }) => j)), 'claim verdicts of the live runs');
{
  const lines: string[] = [];
  for (const claim of ['GA > SA (no momentum)', 'GA > SA (momentum)', 'momentum helps GA at the largest N']) {
    lines.push(`**${claim}**`, '');
    for (const src of sources) {
      const js = judged.filter((j) => j.claim === claim && j.source === src.label);
      if (js.length === 0) lines.push(`- ${src.label}: no runs for it`);
      for (const j of js) lines.push(`- ${src.label}, N = ${j.workers}: ${j.text}`);
    }
    const count = (src: Source, v: string) => judged.filter((j) => j.claim === claim && j.source === src.label && j.verdict === v).length;
    lines.push('', sources.map((src) => `${src.label}: ${count(src, 'reproduced')} reproduced, ${count(src, 'not reproduced')} not reproduced, ${count(src, 'within noise')} within noise`).join('; ') + '.', '');
  }
  report.markdown(lines.join('\n'));
}

// %% [markdown]
// ## What the protocol changes
//
// The same rules at the largest N under the two protocols: accuracy (Welch interval of authors −
// contrast), and the staleness each produces (its spread is what gamma shape 100 narrows).

// %%
const stalenessStats = stackTables([
  authors.updates.filter(aq.escape((d: Row) => d.rule === 'asgd')).derive({ protocol: () => 'authors' }),
  contrast.updates.filter(aq.escape((d: Row) => d.rule === 'asgd')).derive({ protocol: () => 'contrast' }),
]).groupby('protocol', 'workers').rollup({ mean: aq.op.mean('staleness'), sd: aq.op.stdev('staleness'), max: aq.op.max('staleness'), updates: aq.op.count() }).orderby('protocol', 'workers');
report.table('staleness_by_protocol', stalenessStats, 'staleness of ASGD updates per protocol and N (every async rule sees the same arrivals for a seed)');
{
  const st = rowsOf(stalenessStats);
  const at = (p: string) => st.find((r) => r.protocol === p && r.workers === Nmax);
  const lines = rules.map((rule) => protocolContrastLine(rule, cellValues(runs, rule, Nmax), cellValues(contrastRuns, rule, Nmax)));
  const verdictOf = (src: Source, claim: string) => judged.find((j) => j.source === src.label && j.claim === claim && j.workers === Nmax)?.verdict ?? 'n/a';
  report.markdown([
    `**At N = ${Nmax}**, staleness has mean ${fmt(at('authors')?.mean)} and sd ${fmt(at('authors')?.sd)} (max ${fmt(at('authors')?.max)}) under the authors' protocol, ` +
      `mean ${fmt(at('contrast')?.mean)} and sd ${fmt(at('contrast')?.sd)} (max ${fmt(at('contrast')?.max)}) under the contrast: the contrast's spread is ${fmt((at('contrast')?.sd as number) / (at('authors')?.sd as number), 2)}× the authors'.`, '',
    ...lines, '',
    `The GA-vs-SA verdicts at N = ${Nmax}: ${sources.slice(0, 2).map((s) => `${s.label}: ${verdictOf(s, 'GA > SA (no momentum)')} (no momentum), ${verdictOf(s, 'GA > SA (momentum)')} (momentum)`).join('; ')}. ` +
      `${verdictOf(sources[0], 'GA > SA (no momentum)') === verdictOf(sources[1], 'GA > SA (no momentum)') && verdictOf(sources[0], 'GA > SA (momentum)') === verdictOf(sources[1], 'GA > SA (momentum)') ? 'The protocol does not change them.' : 'The protocol changes them.'}`,
  ].join('\n'));
}

// %% [markdown]
// ## Accuracy against simulated time, and time to an accuracy
//
// Asynchrony pays only if a rule reaches an accuracy sooner in time, not in updates: SSGD (black)
// waits for its slowest worker each round, the asynchronous rules never wait. Time is simulated
// (one job takes B = batch-size units on average in both protocols). The target accuracy lies 90 %
// of the way from the accuracy before training to the lowest final accuracy SSGD reaches at any N
// under the authors' protocol (so SSGD reaches it at every N); each rule's speed-up is SSGD's time
// to the target over its own, at the same N.

// %%
const testAt = (evals: Table, params: string) => evals.filter(aq.escape((d: Row) => d.split === 'test' && (d.params === undefined || d.params === params)));
const authorsEvals = testAt(authors.evals, 'master');
const contrastEvals = testAt(contrast.evals, 'master');
const ssgdFinal = S.workers.map((n) => cellValues(runs, 'ssgd', n)).filter((xs) => xs.length > 0).map((xs) => xs.reduce((a, b) => a + b, 0) / xs.length);
// The accuracy before any update (the same θ0 for every run of a seed).
const initial = Math.max(...rowsOf(authorsEvals).filter((r) => r.step === 0).map((r) => r.accuracy as number));
const ssgdLowest = ssgdFinal.length ? Math.min(...ssgdFinal) : NaN;
// No target when SSGD ends barely above where it started at some N (a time to it would say nothing).
const target = ssgdLowest > initial + 0.02 ? Number((initial + 0.9 * (ssgdLowest - initial)).toFixed(3)) : null;
report.figure('accuracy_over_time', accuracyOverTimeFigure(authorsEvals, {
  time: { column: 'sim_time', title: 'simulated time (units of B per job)' },
  y: { column: 'accuracy', title: 'test accuracy (fraction correct)' },
  rule: { column: 'rule', title: 'rule', order: rules }, workers: 'workers', seed: 'seed', baseline: 'ssgd', target: target ?? undefined,
  title: "Test accuracy against simulated time, authors' protocol (live)",
}));
report.figure('accuracy_over_time_contrast', accuracyOverTimeFigure(contrastEvals, {
  time: { column: 'sim_time', title: 'simulated time (units of B per job)' },
  y: { column: 'accuracy', title: 'test accuracy (fraction correct)' },
  rule: { column: 'rule', title: 'rule', order: rules }, workers: 'workers', seed: 'seed', baseline: 'ssgd', target: target ?? undefined,
  title: `Test accuracy against simulated time at N = ${Nmax}, contrast protocol (live)`,
}));
if (target === null) {
  report.markdown(`*No time to an accuracy: SSGD's lowest final accuracy over N, ${pct(ssgdLowest)}, is not clearly above the ${pct(initial)} before training.*`);
} else {
  const speedups = report.table('speedup_over_ssgd', stackTables([
    speedupTable(authorsEvals, { target: target, baseline: 'ssgd' }).derive({ protocol: () => 'authors' }),
    speedupTable(contrastEvals, { target: target, baseline: 'ssgd' }).derive({ protocol: () => 'contrast' }),
  ]), `time to test accuracy ${target} and speed-up over SSGD at the same N (mean over the seeds that reached it, 95 % t-interval)`);
  {
    const sp = rowsOf(speedups);
    const line = (p: string) => rules.filter((r) => r !== 'ssgd').map((rule) => {
      const s = sp.find((x) => x.protocol === p && x.rule === rule && x.workers === Nmax);
      return s ? `${rule} ${s.speedup === null ? `n/a (${s.reached} of ${s.runs} seeds reached it)` : `${fmt(s.speedup, 2)}×`}` : `${rule} n/a`;
    }).join(', ');
    const base = (p: string) => sp.find((x) => x.protocol === p && x.rule === 'ssgd' && x.workers === Nmax);
    report.markdown([
      `**Speed-up over SSGD at N = ${Nmax}** (time to ${pct(target)} test accuracy, from ${pct(initial)} before training; SSGD needs ${fmt(base('authors')?.time_mean)} time units under the authors' protocol, ${fmt(base('contrast')?.time_mean)} under the contrast):`, '',
      `- authors' protocol: ${line('authors')}`,
      `- contrast: ${line('contrast')}`, '',
      ((a, c) => (typeof a === 'number' && typeof c === 'number'
        ? `SSGD's time to the target is ${fmt(c / a, 2)}× as long under the contrast as under the authors' protocol: a barrier round lasts as long as its slowest job, and shape-4 job times have a long tail (the protocols' learning-rate schedules differ too).`
        : 'SSGD did not reach the target under both protocols, so their SSGD times cannot be compared.'))(base('authors')?.time_mean, base('contrast')?.time_mean),
    ].join('\n'));
  }
}

// %% [markdown]
// ## Staleness per N
//
// The distribution of τ behind every update of ASGD (every asynchronous rule sees the same
// arrivals for a seed), per N under the authors' protocol, and at the largest N under the contrast.

// %%
const stalenessRows = stackTables([
  authors.updates.filter(aq.escape((d: Row) => d.rule === 'asgd' && (d.workers as number) > 1)).derive({ series: aq.escape((d: Row) => `N = ${d.workers}, authors`) }),
  contrast.updates.filter(aq.escape((d: Row) => d.rule === 'asgd')).derive({ series: aq.escape((d: Row) => `N = ${d.workers}, contrast (shape 4)`) }),
]);
report.figure('staleness_histogram', histogramFigure(stalenessRows, {
  value: { column: 'staleness', title: 'staleness τ (updates since the gradient\'s parameters were read)' },
  group: { column: 'series', title: 'N, protocol' }, clampAt: 4 * Nmax, logY: true, barmode: 'group',
  title: 'Staleness per N (fraction of updates, live)',
}));

// %% [markdown]
// ## The step size at the largest N
//
// The recipe's η is the single-worker one. SA divides the step by τ, GA only where parameters
// moved, so the two may simply prefer different η at large N: here SA and GA, with and without
// momentum, rerun at the largest N under the authors' protocol with η/10, η/4 and 2η (η itself is
// the run above), and are compared each at its own best η of these four.

// %%
const lrRules = ['sa', 'ga', 'sa-momentum', 'ga-momentum'];
const lrResult = await interruptible((control) => sweep({
  base: { ...common, preset: 'authors', workers: Nmax },
  vary: { rule: withDecay(lrRules), lr: scaledLearningRates(S.lr, [0.1, 0.25, 2]), seed: [...S.seeds] },
}, { control, ...outDir('lr') }));
const byLr = report.table('accuracy_by_lr_at_max_workers',
  stepSizeStudyTable(runs, lrResult.runs, { workers: Nmax, rules: lrRules, lr: S.lr }), `one row per run at N = ${Nmax}`);
report.figure('accuracy_vs_lr', errorBarFigure(byLr, {
  x: { column: 'lr', title: 'learning rate η', log: true },
  y: { column: 'final_test_accuracy', title: 'final test accuracy (fraction correct)' },
  group: { column: 'rule', title: 'rule', order: lrRules }, seed: 'seed',
  title: `Final test accuracy against η at N = ${Nmax}, authors' protocol (live)`,
}));

// %%
{
  const best = bestStepSizes(byLr, lrRules, CHANCE);
  const get = (rule: string) => best.find((b) => b.rule === rule)!.best;
  const versus = (a: string, b: string) => `${a} ${pct(get(a).mean)} (η = ${fmt(get(a).lr)}) vs ${b} ${pct(get(b).mean)} (η = ${fmt(get(b).lr)})`;
  const gaWins = get('ga').mean > get('sa').mean && get('ga-momentum').mean > get('sa-momentum').mean;
  const momentumHelps = get('ga-momentum').mean > get('ga').mean;
  report.markdown([
    `**Each rule at its best η, N = ${Nmax}** (means over seeds; diverged runs count as 10 %):`, '',
    `- without momentum: ${versus('ga', 'sa')}`,
    `- with momentum: ${versus('ga-momentum', 'sa-momentum')}`,
    `- GA with vs without momentum: ${versus('ga-momentum', 'ga')}`, '',
    (gaWins ? 'Tuned, GA is ahead of SA with and without momentum' : 'Tuned, GA is **not** ahead of SA in both cases') +
      `; momentum ${momentumHelps ? 'helps' : 'does not help'} GA at this N. These are means of the best of four η; differences within the error bars of the figure are not meaningful.`,
  ].join('\n'));
}

// %% [markdown]
// ## Gap and penalty over training
//
// The gap RMSE ‖θ_apply − x_read‖₂/√D says how far the parameters moved while a gradient was being
// computed. SA's divisor is max(1, τ), GA's is the per-coordinate G (its mean over coordinates is
// logged as `penalty_mean`). Curves are at the largest N under the authors' protocol, binned by
// epoch, mean and 95 % interval over seeds.

// %%
const atNmax = authors.updates.filter(aq.escape((d: { workers: number }) => d.workers === Nmax));
report.figure('gap_over_training', curveFigure(atNmax.filter(aq.escape((d: Row) => d.rule !== 'ssgd')), {
  x: { column: 'epoch', title: 'epochs (samples processed / training-set size)' },
  y: { column: 'gap_rmse', title: 'gap RMSE ‖θ_apply − x_read‖₂/√D', log: true },
  group: { column: 'rule', title: 'rule', order: rules }, seed: 'seed', bins: 30,
  title: `Gap over training, N = ${Nmax}`,
}));
report.figure('penalty_over_training', curveFigure(atNmax.filter(aq.escape((d: { rule: string }) => d.rule.startsWith('sa') || d.rule.startsWith('ga'))), {
  x: { column: 'epoch', title: 'epochs' },
  y: { column: 'penalty_mean', title: 'mean penalty divisor (SA: max(1, τ); GA: mean of G)', log: true },
  group: { column: 'rule', title: 'rule', order: rules }, seed: 'seed', bins: 30,
  title: `Penalty over training, N = ${Nmax}`,
}));

// %%
{
  const pen = rowsOf(runs) as { rule: string; workers: number; penalty_mean: number; gap_rmse_mean: number; staleness_mean: number }[];
  const meanOf = (rule: string, n: number, field: 'penalty_mean' | 'gap_rmse_mean' | 'staleness_mean') => {
    const xs = pen.filter((r) => r.rule === rule && r.workers === n).map((r) => r[field]).filter((v) => Number.isFinite(v));
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
  };
  report.markdown([
    `**Penalties at N = ${Nmax}** (mean staleness ${fmt(meanOf('sa', Nmax, 'staleness_mean'))}): SA divides gradients by ${fmt(meanOf('sa', Nmax, 'penalty_mean'))} on average, ` +
      `GA by ${fmt(meanOf('ga', Nmax, 'penalty_mean'))} (with momentum: SA ${fmt(meanOf('sa-momentum', Nmax, 'penalty_mean'))}, GA ${fmt(meanOf('ga-momentum', Nmax, 'penalty_mean'))}).`,
    `**Gap at N = ${Nmax}** (mean gap RMSE over training): ASGD ${fmt(meanOf('asgd', Nmax, 'gap_rmse_mean'))}, SA ${fmt(meanOf('sa', Nmax, 'gap_rmse_mean'))}, GA ${fmt(meanOf('ga', Nmax, 'gap_rmse_mean'))}; ` +
      `momentum ASGD ${fmt(meanOf('momentum-asgd', Nmax, 'gap_rmse_mean'))}, SA ${fmt(meanOf('sa-momentum', Nmax, 'gap_rmse_mean'))}, GA ${fmt(meanOf('ga-momentum', Nmax, 'gap_rmse_mean'))}.`,
  ].join('\n\n'));
}

// %% [markdown]
// ## The recorded medium sweep beside the live runs
//
// The same figures from the recorded `medium` sweep (read from its directory, not rerun). Its
// claim verdicts are in the claims section above, labelled with its commit and date.

// %%
if (recorded === null || recordedRuns === null) report.markdown(`*No recorded medium sweep at \`${RECORDED_DIR}\` (record one with \`npx tsx experiments/recordSweep.ts runs/medium-gap-aware experiments/medium-gap-aware.json ${RECORDED_DIR.replace(/^\.\.\//, '')}\`).*`);
else {
  const recordedRules = rules.filter((r) => rowsOf(recordedRuns).some((x) => x.rule === r));
  report.figure('recorded_accuracy_vs_workers', errorBarFigure(recordedRuns, {
    x: { column: 'workers', title: 'workers N', log: true },
    y: { column: ACC, title: 'final test accuracy (fraction correct)' },
    group: { column: 'rule', title: 'rule', order: recordedRules }, seed: 'seed',
    title: `Final test accuracy, medium, ${recorded.label}`,
  }));
  report.figure('recorded_accuracy_over_time', accuracyOverTimeFigure(testAt(recorded.evals, 'master'), {
    time: { column: 'sim_time', title: 'simulated time (units of B per job)' },
    y: { column: 'accuracy', title: 'test accuracy (fraction correct)' },
    rule: { column: 'rule', title: 'rule', order: recordedRules }, workers: 'workers', seed: 'seed', baseline: 'ssgd',
    title: `Test accuracy against simulated time, medium, ${recorded.label}`,
  }));
  const hist = recorded.stalenessHistogram.filter(aq.escape((d: Row) => d.rule === 'asgd' && (d.workers as number) > 1)).derive({ series: aq.escape((d: Row) => `N = ${d.workers}`) });
  if (hist.numRows() > 0) {
    report.figure('recorded_staleness_histogram', histogramFigure(hist, {
      value: { column: 'staleness', title: 'staleness τ' }, group: { column: 'series', title: 'N' }, weight: 'count', logY: true,
      title: `Staleness per N, medium, ${recorded.label}`,
    }));
  }
  // Shown, not saved: the saved tables are this profile's.
  tslab.display.html(`<p><b>Final test accuracy per rule and N, medium, ${recorded.label}</b> (mean and 95 % t-interval over seeds)</p>` +
    aq.from(accuracySummary(recordedRuns, 'medium (recorded)')).toHTML());
}
