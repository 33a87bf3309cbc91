// %% [markdown]
// # 02 · DANA: asynchronous momentum that looks ahead
//
// **Paper.** Hakimi, Barkai, Gabel, Schuster, *Taming Momentum in a Distributed Asynchronous
// Environment*, arXiv preprint 2019, [arXiv:1907.11612](https://arxiv.org/abs/1907.11612).
//
// **What the paper claims.** Momentum makes asynchronous SGD fragile: a stale gradient was
// computed at parameters the momentum has since carried far away, so the gap grows with the
// number of workers N. DANA (Hakimi et al.) sends each worker an estimate of where the master
// will be when its gradient arrives, θ̂ = θ − ηγ Σ_j v_j (DANA-Zero keeps one momentum per worker
// on the master; DANA-Slim keeps the same maths with the momentum on the workers; DANA-DC adds a
// delay-compensation term). The paper compares it with ASGD, NAG-ASGD, Multi-ASGD and DC-ASGD and
// claims DANA keeps close to single-worker accuracy at worker counts where the others fail. A
// secondary transcription of its CIFAR-10 table (not verified) reads: single worker 91.6%,
// NAG-ASGD failing from 16 workers, Multi-ASGD and DC-ASGD from 20, DANA-DC ≈ 90% at 20 and ≈ 83%
// at 32. Those are ResNet-20 / CIFAR-10 / 160-epoch numbers (the `full` profile); nothing below is
// tuned toward them.
//
// **What this notebook does.** The same recipe for every rule and N on the simulated cluster,
// with SSGD as the synchronous baseline, under **the authors' protocol** (`preset: 'authors'`,
// docs/PROTOCOL.md): job times Gamma(shape 100, mean B), a linear warm-up from η/N over the first
// 5/160 of the budget (at least 200 updates), η × 0.1 at 1/2 and 3/4 of the budget, DANA-DC as
// their code does it (constant λ = 2 against the master θ, before weight decay and momentum), and
// evaluation at the master θ and at the look-ahead θ̂ the workers are sent. One **contrast** sweep
// reruns the main rules at N = 1 and the largest N under the project's earlier protocol (Gamma
// shape 4, no warm-up or decay in the small profiles, DANA-DC with adaptive λ). Accuracies are the
// look-ahead's (the DANA-DC script's choice; θ itself for the rules without one). Claims are judged
// with 95 % Welch intervals over seeds (`compareForClaim`) for each protocol, and for the recorded
// `medium` sweep (full MNIST, experiments/medium-dana.json) where one has been recorded. The prose
// is computed from the runs.

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
const report = new NotebookReport({ notebook: '02-dana', profile, display: tslab.display });
const fmt = (x: unknown, digits = 3): string => (typeof x === 'number' && Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : 'n/a');
const pct = (x: unknown): string => (typeof x === 'number' && Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');

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
  // experiments/medium-dana.json: MLP 784-128-10 on full MNIST, 7,500 updates.
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
// ASGD here is heavy-ball momentum on the master (momentum-asgd); DC-ASGD is the plain-SGD form.
const rules = ['ssgd', 'momentum-asgd', 'nag-asgd', 'multi-asgd', 'dc-asgd', 'dana-zero', 'dana-slim', 'dana-dc'];
// The contrast leaves out DC-ASGD.
const contrastRules = ['ssgd', 'momentum-asgd', 'nag-asgd', 'multi-asgd', 'dana-zero', 'dana-slim', 'dana-dc'];
// A rule "fails" at N when its accuracy is this far below its own N = 1 accuracy.
const FAIL_DROP = 0.05;
const Nmax = Math.max(...S.workers);
const withDecay = (names: string[]) => names.map((name) => (S.weightDecay > 0 ? { name, weightDecay: S.weightDecay } : name));
const outDir = (name: string) => (profile === 'medium' || profile === 'full' ? { outDir: join('..', 'runs', `02-dana-${profile}-${name}`) } : {});
// STALELAB_RECORDED_ROOT points elsewhere (a recording in progress, another date).
const RECORDED_DIR = join(process.env.STALELAB_RECORDED_ROOT ?? join('..', 'experiments', 'results', 'medium-2026-12-01'), 'medium-dana');
// The look-ahead's accuracy (θ itself for the rules without a look-ahead).
const ACC = 'final_look_ahead_test_accuracy';
// 10 classes: a diverged run counts as chance accuracy in every comparison, not as a missing value.
const CHANCE = 0.1;
console.log(`profile ${profile}: ${rules.length} rules × N ∈ {${S.workers.join(', ')}} × ${S.seeds.length} seeds (authors' protocol) + ${contrastRules.length} rules at N ∈ {1, ${Nmax}} (contrast)`);

// %% [markdown]
// ## The sweeps
//
// The kernel's interrupt button stops a sweep after the update in flight and keeps the runs
// finished so far (`interruptible`); in the `medium` and `full` profiles every run is also saved
// under `runs/`, so an interrupted sweep resumes where it stopped.

// %%
const common = { ...S.problem, batchSize: S.batchSize, epochs: S.epochs, lr: S.lr, evalEvery: S.evalEvery, profile: profile, rule: 'dana-zero', workers: 1 };
const authors = await interruptible((control) => sweep({
  base: { ...common, preset: 'authors' },
  vary: { rule: withDecay(rules), workers: [...S.workers], seed: [...S.seeds] },
}, { control, ...outDir('authors') }));
// meanTime B: simulated time in the authors' unit (it never changes the order of arrivals).
const contrast = await interruptible((control) => sweep({
  base: { ...common, timing: { kind: 'gamma', shape: 4, meanTime: S.batchSize }, lrSchedule: S.earlierSchedule, evalAt: 'both' },
  vary: { rule: withDecay(contrastRules), workers: [1, Nmax], seed: [...S.seeds] },
}, { control, ...outDir('contrast') }));
const runs = report.table('runs', authors.runs.select(aq.not('profile')), "one row per run, authors' protocol");
const contrastRuns = report.table('runs_contrast', contrast.runs.select(aq.not('profile')), `one row per run, contrast protocol at N ∈ {1, ${Nmax}}`);
for (const [name, r] of [['authors', authors], ['contrast', contrast]] as const) {
  console.log(`${name}: ${r.runs.numRows()} runs, status ${r.status}; ${r.records.filter((x) => x.status === 'diverged').length} diverged; backend ${r.records[0]?.backend}`);
}

// %%
type Row = Record<string, unknown>;
type Table = typeof runs;
const rowsOf = (t: Table) => t.objects() as Row[];
/** Per-seed accuracies of one rule at one N (diverged runs at chance). */
const cellValues = (t: Table, rule: string, n: number, column = ACC): number[] => cellAccuracies(rowsOf(t), { rule, workers: n }, { column, chance: CHANCE });
function accuracySummary(t: Table, protocol: string): Row[] {
  const out: Row[] = [];
  const ns = [...new Set(rowsOf(t).map((r) => r.workers as number))].sort((a, b) => a - b);
  for (const rule of rules) {
    for (const n of ns) {
      const cell = rowsOf(t).filter((r) => r.rule === rule && r.workers === n);
      if (cell.length === 0) continue;
      const iv = meanInterval(cell.map((r) => runAccuracy(r, ACC, CHANCE)));
      const master = cell.map((r) => runAccuracy(r, 'final_test_accuracy', CHANCE));
      const gaps = cell.map((r) => r.gap_rmse_mean).filter((g): g is number => typeof g === 'number' && Number.isFinite(g));
      out.push({
        protocol, rule, workers: n, runs: cell.length, diverged: cell.filter((r) => r.status === 'diverged').length,
        mean: iv.mean, ci_lower: iv.lower, ci_upper: iv.upper, master_mean: master.reduce((a, b) => a + b, 0) / master.length,
        gap_rmse_mean: gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null,
      });
    }
  }
  return out;
}
const protocolOf = (r: { records: readonly { config: unknown }[] }) => {
  const c = (r.records[0]?.config ?? {}) as Row;
  const danaDc = (r.records.find((x) => (x.config as Row & { rule?: { name?: string } }).rule?.name?.startsWith('dana-dc'))?.config as { rule?: { name?: string; transforms?: unknown } } | undefined)?.rule;
  return { timing: JSON.stringify(c.timing), lr_schedule: JSON.stringify(c.lrSchedule), eval_at: String(c.evalAt), preset: String(c.preset ?? 'none'), dana_dc: danaDc ? `${danaDc.name} ${JSON.stringify(danaDc.transforms)}` : 'n/a' };
};
const protocols = report.table('protocols', aq.from([
  { protocol: 'authors', workers: S.workers.join(' '), runs: authors.runs.numRows(), ...protocolOf(authors) },
  { protocol: 'contrast', workers: `1 ${Nmax}`, runs: contrast.runs.numRows(), ...protocolOf(contrast) },
]), 'the two protocols, read from the run records');

// %% [markdown]
// ## A recorded medium-scale sweep, if there is one
//
// `experiments/results/medium-2026-12-01/medium-dana/` holds the `medium` sweep
// (experiments/medium-dana.json: MLP 784-128-10, full MNIST, batch 128, 16 epochs, η = 0.1, γ = 0.9,
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
// ## Final accuracy against N

// %%
report.figure('accuracy_vs_workers', errorBarFigure(runs, {
  x: { column: 'workers', title: 'workers N', log: true },
  y: { column: ACC, title: 'final test accuracy at the look-ahead (fraction correct)' },
  group: { column: 'rule', title: 'rule', order: rules }, seed: 'seed',
  title: "Final test accuracy, authors' protocol (live)",
}));
const accuracyTable = report.table('accuracy_by_rule_and_workers',
  aq.from([...accuracySummary(runs, 'authors'), ...accuracySummary(contrastRuns, 'contrast')]),
  'final test accuracy at the look-ahead per protocol, rule and N: mean and 95 % t-interval over seeds (diverged runs at 10 %); master_mean: at θ');

// %%
{
  const acc = rowsOf(accuracyTable).filter((r) => r.protocol === 'authors');
  const at = (rule: string, n: number) => acc.find((r) => r.rule === rule && r.workers === n);
  const failsFrom = rules.filter((r) => r !== 'ssgd').map((rule) => {
    const base = at(rule, 1)?.mean as number | undefined;
    const failing = S.workers.filter((n) => {
      const r = at(rule, n);
      return r !== undefined && ((r.diverged as number) > 0 || (base !== undefined && (r.mean as number) < base - FAIL_DROP));
    });
    return { rule, base, first: failing.length ? Math.min(...failing) : null, atMax: at(rule, Nmax)?.mean as number | undefined };
  });
  const dana = failsFrom.filter((f) => f.rule.startsWith('dana'));
  const others = failsFrom.filter((f) => !f.rule.startsWith('dana'));
  report.markdown([
    `**Per rule, authors' protocol (live)** (means; "fails" = a diverged run or a mean more than ${FAIL_DROP * 100} points below the rule's own N = 1 mean; the claims below test it with intervals):`, '',
    ...failsFrom.map((f) => `- **${f.rule}**: ${pct(f.base)} at N = 1, ${pct(f.atMax)} at N = ${Nmax}; ` + (f.first === null ? `within ${FAIL_DROP * 100} points of N = 1 at every N` : `fails from N = ${f.first}`)), '',
    `${dana.every((f) => f.first === null) ? 'Every DANA variant stays within the margin at every N' : `Not every DANA variant holds up (${dana.filter((f) => f.first !== null).map((f) => `${f.rule} from N = ${f.first}`).join(', ')})`}; ` +
      `${others.some((f) => f.first !== null) ? `of the baselines, ${others.filter((f) => f.first !== null).map((f) => f.rule).join(', ')} fail at some N` : 'no baseline fails at these N'}.`,
  ].join('\n'));
}

// %% [markdown]
// ## The claims, per protocol and scale
//
// "NAG-ASGD and Multi-ASGD fail as N grows while DANA stays near the single-worker accuracy",
// tested as four comparisons of a rule at the largest N with itself at N = 1 (look-ahead accuracy,
// Welch 95 % interval of the difference over seeds, `compareForClaim`):
// a baseline **fails** when its N = 1 accuracy exceeds its N_max accuracy by more than 5 points
// (`FAIL_DROP`: the whole interval of N=1 − N_max above 0.05); DANA **stays near** when its N_max
// accuracy is at most 5 points below N = 1 (the whole interval of N_max − N=1 above −0.05).
// "Within noise": the interval straddles the margin, or a side has one seed.

// %%
interface Source { label: string; runs: Table; workers: number[] }
const sources: Source[] = [
  { label: "authors' protocol (live)", runs: runs, workers: [...S.workers] },
  { label: 'contrast: gamma shape 4, no preset (live)', runs: contrastRuns, workers: [1, Nmax] },
  ...(recorded && recordedRuns ? [{ label: `medium, authors' protocol, ${recorded.label}`, runs: recordedRuns, workers: [...new Set(rowsOf(recordedRuns).map((r) => r.workers as number))].sort((a, b) => a - b) }] : []),
];
interface Judged { source: string; claim: string; workers: number; a: string; b: string; mean_a: number; mean_b: number; difference: number; lower: number | null; upper: number | null; margin: number; seeds: number; verdict: string; text: string }
function judge(src: Source, claim: string, a: [string, number], b: [string, number], margin: number): Judged | null {
  const j = judgeCells(rowsOf(src.runs), claim, { rule: a[0], workers: a[1] }, { rule: b[0], workers: b[1] }, { chance: CHANCE, column: ACC, margin });
  if (!j) return null;
  const { xa, xb, comparison, ...row } = j;
  return { source: src.label, ...row, text: `N = ${a[1]} ${formatMeanInterval(xa)} vs N = ${b[1]} ${formatMeanInterval(xb)}: difference ${formatDifference(comparison)} against ${margin >= 0 ? '+' : '−'}${Math.abs(margin)} → **${comparison.verdict}**` };
}
const CLAIMS = [
  { claim: 'NAG-ASGD fails at the largest N', rule: 'nag-asgd', fails: true },
  { claim: 'Multi-ASGD fails at the largest N', rule: 'multi-asgd', fails: true },
  { claim: 'DANA-Zero stays near N = 1', rule: 'dana-zero', fails: false },
  { claim: 'DANA-DC stays near N = 1', rule: 'dana-dc', fails: false },
];
const judged: Judged[] = [];
for (const src of sources) {
  const maxN = Math.max(...src.workers);
  for (const c of CLAIMS) {
    const j = c.fails ? judge(src, c.claim, [c.rule, 1], [c.rule, maxN], FAIL_DROP) : judge(src, c.claim, [c.rule, maxN], [c.rule, 1], -FAIL_DROP);
    if (j) judged.push(j);
  }
}
report.table('claims', aq.from(judged.filter((j) => j.source.endsWith('(live)')).map(({ text: _text, ...j }) => j)), 'claim verdicts of the live runs');
{
  const lines: string[] = [];
  for (const c of CLAIMS) {
    lines.push(`**${c.claim}** (${c.rule})`, '');
    for (const src of sources) {
      const j = judged.find((x) => x.claim === c.claim && x.source === src.label);
      lines.push(`- ${src.label}: ${j ? j.text : 'no runs for it'}`);
    }
    lines.push('');
  }
  const whole = (src: Source) => {
    const vs = CLAIMS.map((c) => judged.find((x) => x.claim === c.claim && x.source === src.label)?.verdict ?? 'n/a');
    return vs.every((v) => v === 'reproduced') ? 'reproduced in full' : vs.some((v) => v === 'not reproduced') ? `not reproduced (${vs.filter((v) => v === 'not reproduced').length} of ${vs.length} parts against it)` : `not settled (${vs.filter((v) => v === 'reproduced').length} of ${vs.length} parts reproduced, the rest within noise or missing)`;
  };
  lines.push(`**The claim as a whole**: ${sources.map((src) => `${src.label}: ${whole(src)}`).join('; ')}.`);
  report.markdown(lines.join('\n'));
}

// %% [markdown]
// ## What the protocol changes
//
// The same rules at the largest N under the two protocols, and the staleness each produces.

// %%
const stalenessStats = stackTables([
  authors.updates.filter(aq.escape((d: Row) => d.rule === 'momentum-asgd')).derive({ protocol: () => 'authors' }),
  contrast.updates.filter(aq.escape((d: Row) => d.rule === 'momentum-asgd')).derive({ protocol: () => 'contrast' }),
]).groupby('protocol', 'workers').rollup({ mean: aq.op.mean('staleness'), sd: aq.op.stdev('staleness'), max: aq.op.max('staleness'), updates: aq.op.count() }).orderby('protocol', 'workers');
report.table('staleness_by_protocol', stalenessStats, 'staleness of momentum-ASGD updates per protocol and N (every async rule sees the same arrivals for a seed)');
{
  const st = rowsOf(stalenessStats);
  const at = (p: string) => st.find((r) => r.protocol === p && r.workers === Nmax);
  const lines = contrastRules.map((rule) => protocolContrastLine(rule, cellValues(runs, rule, Nmax), cellValues(contrastRuns, rule, Nmax)));
  const changed = CLAIMS.filter((c) => {
    const v = (src: Source) => judged.find((x) => x.claim === c.claim && x.source === src.label)?.verdict;
    return v(sources[0]) !== v(sources[1]);
  });
  report.markdown([
    `**At N = ${Nmax}**, staleness has mean ${fmt(at('authors')?.mean)} and sd ${fmt(at('authors')?.sd)} (max ${fmt(at('authors')?.max)}) under the authors' protocol, ` +
      `mean ${fmt(at('contrast')?.mean)} and sd ${fmt(at('contrast')?.sd)} (max ${fmt(at('contrast')?.max)}) under the contrast: the contrast's spread is ${fmt((at('contrast')?.sd as number) / (at('authors')?.sd as number), 2)}× the authors'.`, '',
    ...lines, '',
    changed.length ? `The protocol changes the verdict of ${changed.map((c) => `"${c.claim}"`).join(', ')} (see the claims above).` : 'The protocol changes none of the four verdicts.',
  ].join('\n'));
}

// %% [markdown]
// ## Accuracy against simulated time, and time to an accuracy
//
// SSGD (black) waits for its slowest worker each round; the asynchronous rules never wait. Time is
// simulated (one job takes B units on average in both protocols). The target accuracy lies 90 %
// of the way from the accuracy before training to the lowest final accuracy SSGD reaches at any N
// under the authors' protocol (so SSGD reaches it at every N); a rule's speed-up is SSGD's time to
// the target over its own, at the same N.

// %%
const testAt = (evals: Table, params: string) => evals.filter(aq.escape((d: Row) => d.split === 'test' && (d.params === undefined || d.params === params)));
const authorsEvals = testAt(authors.evals, 'look-ahead');
const contrastEvals = testAt(contrast.evals, 'look-ahead');
const ssgdFinal = S.workers.map((n) => cellValues(runs, 'ssgd', n)).filter((xs) => xs.length > 0).map((xs) => xs.reduce((a, b) => a + b, 0) / xs.length);
// The accuracy before any update (the same θ0 for every run of a seed).
const initial = Math.max(...rowsOf(authorsEvals).filter((r) => r.step === 0).map((r) => r.accuracy as number));
const ssgdLowest = ssgdFinal.length ? Math.min(...ssgdFinal) : NaN;
// No target when SSGD ends barely above where it started at some N (a time to it would say nothing).
const target = ssgdLowest > initial + 0.02 ? Number((initial + 0.9 * (ssgdLowest - initial)).toFixed(3)) : null;
report.figure('accuracy_over_time', accuracyOverTimeFigure(authorsEvals, {
  time: { column: 'sim_time', title: 'simulated time (units of B per job)' },
  y: { column: 'accuracy', title: 'test accuracy at the look-ahead (fraction correct)' },
  rule: { column: 'rule', title: 'rule', order: rules }, workers: 'workers', seed: 'seed', baseline: 'ssgd', target: target ?? undefined,
  title: "Test accuracy against simulated time, authors' protocol (live)",
}));
report.figure('accuracy_over_time_contrast', accuracyOverTimeFigure(contrastEvals, {
  time: { column: 'sim_time', title: 'simulated time (units of B per job)' },
  y: { column: 'accuracy', title: 'test accuracy at the look-ahead (fraction correct)' },
  rule: { column: 'rule', title: 'rule', order: rules }, workers: 'workers', seed: 'seed', baseline: 'ssgd', target: target ?? undefined,
  title: `Test accuracy against simulated time, N ∈ {1, ${Nmax}}, contrast protocol (live)`,
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
    const line = (p: string) => contrastRules.filter((r) => r !== 'ssgd').map((rule) => {
      const s = sp.find((x) => x.protocol === p && x.rule === rule && x.workers === Nmax);
      return s ? `${rule} ${s.speedup === null ? `n/a (${s.reached} of ${s.runs} seeds reached it)` : `${fmt(s.speedup, 2)}×`}` : `${rule} n/a`;
    }).join(', ');
    const base = (p: string) => sp.find((x) => x.protocol === p && x.rule === 'ssgd' && x.workers === Nmax)?.time_mean;
    const a = base('authors');
    const c = base('contrast');
    report.markdown([
      `**Speed-up over SSGD at N = ${Nmax}** (time to ${pct(target)} test accuracy, from ${pct(initial)} before training; SSGD needs ${fmt(a)} time units under the authors' protocol, ${fmt(c)} under the contrast):`, '',
      `- authors' protocol: ${line('authors')}`,
      `- contrast: ${line('contrast')}`, '',
      typeof a === 'number' && typeof c === 'number'
        ? `SSGD's time to the target is ${fmt(c / a, 2)}× as long under the contrast as under the authors' protocol: a barrier round lasts as long as its slowest job, and shape-4 job times have a long tail (the protocols' learning-rate schedules differ too).`
        : 'SSGD did not reach the target under both protocols, so their SSGD times cannot be compared.',
    ].join('\n'));
  }
}

// %% [markdown]
// ## Staleness per N
//
// The distribution of τ behind every update of momentum ASGD (every asynchronous rule sees the
// same arrivals for a seed), per N under the authors' protocol and at the largest N under the contrast.

// %%
const stalenessRows = stackTables([
  authors.updates.filter(aq.escape((d: Row) => d.rule === 'momentum-asgd' && (d.workers as number) > 1)).derive({ series: aq.escape((d: Row) => `N = ${d.workers}, authors`) }),
  contrast.updates.filter(aq.escape((d: Row) => d.rule === 'momentum-asgd' && (d.workers as number) > 1)).derive({ series: aq.escape((d: Row) => `N = ${d.workers}, contrast (shape 4)`) }),
]);
report.figure('staleness_histogram', histogramFigure(stalenessRows, {
  value: { column: 'staleness', title: 'staleness τ (updates since the gradient\'s parameters were read)' },
  group: { column: 'series', title: 'N, protocol' }, clampAt: 4 * Nmax, logY: true, barmode: 'group',
  title: 'Staleness per N (fraction of updates, live)',
}));

// %% [markdown]
// ## The step size at the largest N
//
// Every run above uses the single-worker recipe unchanged, as the paper does. Momentum and
// staleness both enlarge the effective step, so a rule that fails at the largest N may only need a
// smaller η. The rules rerun at the largest N (authors' protocol) with η/10, η/4 and 2η (η itself
// is the run above), and each is compared at its own best η of these four (accuracy at the master
// θ here: the step-size study reads `final_test_accuracy`).

// %%
const lrRules = ['momentum-asgd', 'nag-asgd', 'dana-zero', 'dana-dc'];
const lrResult = await interruptible((control) => sweep({
  base: { ...common, preset: 'authors', workers: Nmax },
  vary: { rule: withDecay(lrRules), lr: scaledLearningRates(S.lr, [0.1, 0.25, 2]), seed: [...S.seeds] },
}, { control, ...outDir('lr') }));
const byLr = report.table('accuracy_by_lr_at_max_workers',
  stepSizeStudyTable(runs, lrResult.runs, { workers: Nmax, rules: lrRules, lr: S.lr }), `one row per run at N = ${Nmax}`);
report.figure('accuracy_vs_lr', errorBarFigure(byLr, {
  x: { column: 'lr', title: 'learning rate η', log: true },
  y: { column: 'final_test_accuracy', title: 'final test accuracy at θ (fraction correct)' },
  group: { column: 'rule', title: 'rule', order: lrRules }, seed: 'seed',
  title: `Final test accuracy against η at N = ${Nmax}, authors' protocol (live)`,
}));

// %%
{
  const best = bestStepSizes(byLr, lrRules, CHANCE);
  const atEta = (b: (typeof best)[number]) => b.byLr.find((x) => x.lr === S.lr)?.mean;
  const danaBest = Math.max(...best.filter((b) => b.rule.startsWith('dana')).map((b) => b.best.mean));
  const baseBest = Math.max(...best.filter((b) => !b.rule.startsWith('dana')).map((b) => b.best.mean));
  report.markdown([
    `**Best η per rule at N = ${Nmax}** (means over seeds; diverged runs count as 10 %):`, '',
    ...best.map((b) => `- **${b.rule}**: ${pct(b.best.mean)} at η = ${fmt(b.best.lr)} (${pct(atEta(b))} at the single-worker η = ${fmt(S.lr)})`), '',
    `With its step tuned at N = ${Nmax}, the best DANA variant reaches ${pct(danaBest)} against ${pct(baseBest)} for the best momentum baseline: ` +
      (danaBest > baseBest + FAIL_DROP
        ? 'DANA keeps a clear lead, so its advantage is not only a matter of step size.'
        : danaBest >= baseBest - FAIL_DROP
          ? `the two are within ${FAIL_DROP * 100} points, so at this scale much of DANA's advantage at the recipe's η is tolerance of a too-large step.`
          : 'a baseline does better, which disagrees with the paper at this scale.') +
      ' (Means of the best of four η; differences within the error bars of the figure are not meaningful.)',
  ].join('\n'));
}

// %% [markdown]
// ## DANA-Zero and DANA-Slim are the same algorithm, at a constant η
//
// DANA-Slim moves the momentum to the workers but sends the master the same update, so for the
// same seed (same arrival order and minibatches) and a **constant** η both train identically up
// to float32 rounding (ALGORITHMS.md §5, a test checks it on a fixed oracle). A schedule that
// changes η between updates (the authors' warm-up changes it at every update) breaks the identity:
// DANA-Zero's look-ahead uses the η of this update on every worker's momentum, DANA-Slim's workers
// folded earlier η into theirs. Both protocols are compared below.

// %%
{
  const maxDiff = (t: Table) => {
    const rows = rowsOf(t);
    const diffs = rows.filter((r) => r.rule === 'dana-zero').map((z) => {
      const s = rows.find((r) => r.rule === 'dana-slim' && r.workers === z.workers && r.seed === z.seed);
      return s ? Math.abs(runAccuracy(z, ACC, CHANCE) - runAccuracy(s, ACC, CHANCE)) : NaN;
    }).filter((d) => Number.isFinite(d));
    return { pairs: diffs.length, max: diffs.length ? Math.max(...diffs) : NaN };
  };
  const testSize = (S.problem.dataset as { testSize?: number }).testSize ?? 10000;
  // The spread between seeds of the same rule and N, for scale.
  const sds = ['dana-zero', 'dana-slim', 'dana-dc'].flatMap((rule) => S.workers.filter((n) => n > 1).map((n) => cellValues(runs, rule, n)))
    .filter((xs) => xs.length > 1).map((xs) => meanInterval(xs).sd as number).sort((a, b) => a - b);
  const medianSd = sds.length ? sds[Math.floor(sds.length / 2)] : NaN;
  const a = maxDiff(runs);
  const c = maxDiff(contrastRuns);
  const close = (d: number) => d === 0 || d <= medianSd / 4;
  const constantContrast = JSON.stringify(S.earlierSchedule) === JSON.stringify({ kind: 'constant' });
  report.markdown([
    `Largest difference in final look-ahead test accuracy between DANA-Zero and DANA-Slim over matched (N, seed) pairs: ` +
      `authors' protocol ${fmt(a.max)} (${Math.round(a.max * testSize)} of ${testSize} test examples, ${a.pairs} pairs); ` +
      `contrast${constantContrast ? ' (constant η)' : ''} ${fmt(c.max)} (${Math.round(c.max * testSize)} examples, ${c.pairs} pairs). ` +
      `The median spread (sd) between seeds of a DANA rule at N > 1 is ${fmt(medianSd)}.`, '',
    !Number.isFinite(medianSd) ? 'With one seed there is no spread to compare with.'
      : close(c.max) && !close(a.max) ? `At ${constantContrast ? 'a constant' : "the contrast's"} η the two stay far closer than two seeds do (float32 rounding); under the authors' schedule they do not, as the changing η predicts.`
        : close(c.max) && close(a.max) ? 'Under both protocols the two stay far closer than two seeds do: the schedule changes η too little to matter here.'
          : `${close(c.max) ? '' : `Even ${constantContrast ? 'at a constant η' : "under the contrast's schedule"} the difference is not much smaller than the spread between seeds, which float32 rounding alone would not explain: worth a look. `}`,
  ].join('\n'));
}

// %% [markdown]
// ## Training curves and the gap at the largest N

// %%
report.figure('gap_over_training', curveFigure(authors.updates.filter(aq.escape((d: Row) => d.workers === Nmax && d.rule !== 'ssgd')), {
  x: { column: 'epoch', title: 'epochs' },
  y: { column: 'gap_rmse', title: 'gap RMSE ‖θ_apply − x_read‖₂/√D', log: true },
  group: { column: 'rule', title: 'rule', order: rules }, seed: 'seed', bins: 30,
  title: `Gap over training, N = ${Nmax}, authors' protocol (live)`,
}));
report.figure('gap_vs_workers', errorBarFigure(runs.filter(aq.escape((d: Row) => (d.workers as number) > 1 && d.rule !== 'ssgd')), {
  x: { column: 'workers', title: 'workers N', log: true },
  y: { column: 'gap_rmse_mean', title: 'mean gap RMSE over training', log: true },
  group: { column: 'rule', title: 'rule', order: rules }, seed: 'seed',
  title: "Gap RMSE against N, authors' protocol (live)",
}));

// %%
{
  const acc = rowsOf(accuracyTable).filter((r) => r.protocol === 'authors');
  const g = (rule: string) => acc.find((r) => r.rule === rule && r.workers === Nmax)?.gap_rmse_mean as number | undefined;
  const ratio = (a: string, b: string) => { const x = g(a); const y = g(b); return x && y ? y / x : NaN; };
  report.markdown(`**Gap at N = ${Nmax}** (mean gap RMSE over training): ${rules.filter((r) => r !== 'ssgd').map((r) => `${r} ${fmt(g(r))}`).join(', ')}. ` +
    `The momentum-ASGD gap is ${fmt(ratio('dana-zero', 'momentum-asgd'))}× DANA-Zero's and ${fmt(ratio('multi-asgd', 'momentum-asgd'))}× Multi-ASGD's. ` +
    `(For DANA the gap is measured between look-ahead points: the θ̂ the worker was sent and the θ̂ when its gradient arrives, ALGORITHMS.md §2.1.)`);
}

// %% [markdown]
// ## The recorded medium sweep beside the live runs
//
// The same figures from the recorded `medium` sweep (read from its directory, not rerun). Its
// claim verdicts are in the claims section above, labelled with its commit and date.

// %%
if (recorded === null || recordedRuns === null) report.markdown(`*No recorded medium sweep at \`${RECORDED_DIR}\` (record one with \`npx tsx experiments/recordSweep.ts runs/medium-dana experiments/medium-dana.json ${RECORDED_DIR.replace(/^\.\.\//, '')}\`).*`);
else {
  const recordedRules = rules.filter((r) => rowsOf(recordedRuns).some((x) => x.rule === r));
  report.figure('recorded_accuracy_vs_workers', errorBarFigure(recordedRuns, {
    x: { column: 'workers', title: 'workers N', log: true },
    y: { column: ACC, title: 'final test accuracy at the look-ahead (fraction correct)' },
    group: { column: 'rule', title: 'rule', order: recordedRules }, seed: 'seed',
    title: `Final test accuracy, medium, ${recorded.label}`,
  }));
  report.figure('recorded_accuracy_over_time', accuracyOverTimeFigure(testAt(recorded.evals, 'look-ahead'), {
    time: { column: 'sim_time', title: 'simulated time (units of B per job)' },
    y: { column: 'accuracy', title: 'test accuracy at the look-ahead (fraction correct)' },
    rule: { column: 'rule', title: 'rule', order: recordedRules }, workers: 'workers', seed: 'seed', baseline: 'ssgd',
    title: `Test accuracy against simulated time, medium, ${recorded.label}`,
  }));
  // Staleness depends on the arrivals only: the first asynchronous rule recorded stands for all.
  const histRule = recordedRules.find((r) => r !== 'ssgd');
  const hist = recorded.stalenessHistogram.filter(aq.escape((d: Row) => d.rule === histRule && (d.workers as number) > 1)).derive({ series: aq.escape((d: Row) => `N = ${d.workers}`) });
  if (hist.numRows() > 0) {
    report.figure('recorded_staleness_histogram', histogramFigure(hist, {
      value: { column: 'staleness', title: `staleness τ (${histRule})` }, group: { column: 'series', title: 'N' }, weight: 'count', logY: true,
      title: `Staleness per N, medium, ${recorded.label}`,
    }));
  }
  // Shown, not saved: the saved tables are this profile's.
  tslab.display.html(`<p><b>Final test accuracy at the look-ahead per rule and N, medium, ${recorded.label}</b> (mean and 95 % t-interval over seeds; master_mean: at θ)</p>` +
    aq.from(accuracySummary(recordedRuns, 'medium (recorded)')).toHTML());
}
