// %% [markdown]
// # 05 · A real parameter server: measured staleness with a straggler, against the simulator
//
// **Why.** The Gap-Aware and DANA abstracts are about asynchronous training in the cloud: many
// workers on non-dedicated machines, some of them slow (stragglers), so gradients arrive stale.
// The other notebooks *simulate* that cluster: each worker's compute time is drawn from a gamma
// distribution and communication is free. Here the cluster is real: the `ps` engine runs one
// server process that holds θ and applies the rule (a pull is the rule's `send(i)`, a push its
// `receive(i, g)`) and worker processes that compute gradients on their own minibatches, talking
// over ZeroMQ. Staleness is counted from version numbers: τ = updates applied between a worker's
// pull and its push.
//
// **What this notebook does.** It trains with GA, SA, DANA-Zero and ASGD on the `ps` engine with
// N workers, one of which is made 4× slower (it waits three times its compute time before each
// push), and measures every worker's speed. Then it runs the simulator with heterogeneous gamma
// workers *of the measured speeds* (each worker's mean time per gradient, and the gamma shape from
// the measured spread) and puts the two side by side: the τ distributions, the straggler's τ, and
// the final accuracy. The prose is computed from these runs.
//
// The worker processes share this machine's cores, so their speeds are what the cores give them
// (with N above the core count they are oversubscribed); the straggler's delay is a sleep, which
// frees its core for the others. The `quick` profile is the recorded experiment
// (`experiments/ps-straggler.json`; tables in `experiments/results/ps-vs-sim-2026-12-01/`).

// %%
import * as tslab from 'tslab';
import * as aq from 'arquero';
import os from 'node:os';
import { join } from 'node:path';
import { sweep, interruptible, stackTables, loadGridFile, notebookProfile, forProfile, NotebookReport, histogramFigure, curveFigure } from 'stalelab';

const profile = notebookProfile();
const report = new NotebookReport({ notebook: '05-parameter-server', profile, display: tslab.display });
const fmt = (x: unknown, digits = 3): string => (typeof x === 'number' && Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : 'n/a');
const pct = (x: unknown): string => (typeof x === 'number' && Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');

/** A config without some fields (the other profiles replace the budget; the simulator has no ps fields). */
const omit = (config: Record<string, unknown>, fields: string[]): Record<string, unknown> => Object.fromEntries(Object.entries(config).filter(([k]) => !fields.includes(k)));

const grid = loadGridFile(join('..', 'experiments', 'ps-straggler.json'));
const recorded = omit(grid.base as Record<string, unknown>, ['epochs']);
const S = forProfile(profile, {
  // A logistic regression on a small synthetic set with 3 workers: every cell runs in seconds.
  smoke: { base: { ...recorded, model: { name: 'logreg' }, dataset: { name: 'gaussian-mixture', trainSize: 600, testSize: 300, dim: 8, classes: 3 }, backend: 'cpu', workers: 3, steps: 90, evalEvery: 30 }, seeds: [0] },
  quick: { base: grid.base as Record<string, unknown>, seeds: [0] },
  // 7,500 updates per run (13× quick's 563) on full MNIST, 3 seeds: 12 ps runs at the recorded
  // 70–116 updates/s (experiments/results/ps-vs-sim-2026-12-01) ≈ 15–20 min, and 12 simulated runs
  // ≈ 10 min: ≈ 30 min on 2 cores, estimated. 9 processes each hold MNIST (≈ 2 GB in all). Not run yet.
  medium: { base: { ...recorded, dataset: { name: 'mnist' }, epochs: 4, evalEvery: 750 }, seeds: [0, 1, 2] },
  full: { base: { ...recorded, model: { name: 'mlp', widths: [128] }, dataset: { name: 'mnist' }, epochs: 3, evalEvery: 500 }, seeds: [0, 1, 2] },
});
const rules = grid.vary.rule as string[];
const N = S.base.workers as number;
const straggler = S.base.straggler as { worker: number; factor: number };
console.log(`profile ${profile}: ${rules.length} rules × ${S.seeds.length} seed(s), N = ${N} worker processes on ${os.availableParallelism()} cores, worker ${straggler.worker} ${straggler.factor}× slower`);

// %% [markdown]
// ## The parameter-server runs
//
// One `sweep` over the rules: each run starts a server and N local worker processes (each loads
// its own TensorFlow.js backend and data), trains, evaluates θ on the server every `evalEvery`
// updates, and stops the workers. The updates table has, per applied update, the worker, τ, the
// version the worker's parameters had (`pull_version`), and the worker's compute, injected delay
// and communication times.

// %%
// interruptible: the kernel's interrupt button stops the sweep after the update in flight (the workers are stopped); finished runs are kept.
const ps = await interruptible((control) => sweep({ base: { ...S.base, profile: profile }, vary: { rule: rules, seed: S.seeds } }, { control }));
const psRuns = ps.runs.select('run_id', 'rule', 'seed', 'status', 'updates', 'final_test_accuracy', 'staleness_mean', 'staleness_max', 'dropped_gradients', 'updates_per_sec', 'server_sec_per_update', 'compute_sec_mean', 'comm_sec_mean');
report.table('ps_runs', psRuns, 'one row per parameter-server run');

// %% [markdown]
// ## Every worker's measured speed
//
// A worker's cycle is the wall time between two consecutive updates of its gradients: compute,
// injected delay, communication and waiting for the server (cycles that span one of the server's
// evaluations, when every worker waits, are left out). Its mean is the worker's speed; the spread
// of cycles around each worker's own mean (pooled coefficient of variation) gives the gamma shape
// k = 1/CV² for the simulator.

// %%
type Row = { run_id: string; rule: string; seed: number; worker: number; step: number; wall_time: number; compute_sec: number; delay_sec: number; comm_sec: number };
const speeds: Record<string, unknown>[] = [];
const timingOf = new Map<string, { shape: number; means: number[] }>();
for (const run of ps.runs.objects() as { run_id: string; rule: string; seed: number }[]) {
  const rows = (ps.updates.filter(aq.escape((d: Row) => d.run_id === run.run_id)).orderby('step').objects() as Row[]);
  const perWorker = Array.from({ length: N }, () => [] as Row[]);
  for (const r of rows) perWorker[r.worker].push(r);
  // The server pauses everyone while it evaluates θ: a cycle that spans an evaluation is not the worker's speed.
  const evalTimes = ps.evals.filter(aq.escape((d: { run_id: string }) => d.run_id === run.run_id)).array('wall_time') as number[];
  const cycles = perWorker.map((rs) => rs.slice(1).flatMap((r, k) => (evalTimes.some((e) => e >= rs[k].wall_time && e < r.wall_time) ? [] : [r.wall_time - rs[k].wall_time])));
  const means = cycles.map((c) => (c.length ? c.reduce((a, b) => a + b, 0) / c.length : NaN));
  const ratios = cycles.flatMap((c, w) => c.map((x) => x / means[w] - 1));
  const cv = Math.sqrt(ratios.reduce((a, r) => a + r * r, 0) / Math.max(1, ratios.length - 1));
  const shape = Math.min(100, Math.max(0.5, 1 / (cv * cv)));
  const others = means.filter((m, w) => w !== straggler.worker && Number.isFinite(m)).sort((a, b) => a - b);
  const typical = others[Math.floor((others.length - 1) / 2)];
  const usable = means.map((m) => (Number.isFinite(m) ? m / typical : 1));
  timingOf.set(run.run_id, { shape, means: usable });
  perWorker.forEach((rs, w) => speeds.push({
    rule: run.rule, seed: run.seed, worker: w, updates: rs.length, mean_cycle_sec: means[w], relative_cycle: usable[w],
    compute_sec: rs.reduce((a, r) => a + r.compute_sec, 0) / Math.max(1, rs.length),
    delay_sec: rs.reduce((a, r) => a + r.delay_sec, 0) / Math.max(1, rs.length),
    comm_sec: rs.reduce((a, r) => a + r.comm_sec, 0) / Math.max(1, rs.length),
    gamma_shape: shape,
  }));
}
const speedTable = report.table('worker_speeds', aq.from(speeds), 'per worker and run: updates, mean cycle (s), cycle relative to the typical worker, mean compute / delay / communication (s), fitted gamma shape');

// %% [markdown]
// ## The simulator with workers of those speeds
//
// For every parameter-server run, a simulated run with the same rule, seed, model, data, batch and
// budget, and gamma compute times with worker i's mean set to its measured relative cycle
// (`heterogeneity: "given"`) and the fitted shape. The simulator's communication is free and its
// clock is simulated, so only the *order* of arrivals carries over, which is what τ depends on.

// %%
const simParts = [];
const simBase = omit(S.base, ['engine', 'straggler', 'delay', 'localWorkers', 'startWith', 'listen', 'port', 'seconds', 'joinTimeoutSec', 'workerTimeoutSec']);
for (const run of ps.runs.objects() as { run_id: string; rule: string; seed: number }[]) {
  const t = timingOf.get(run.run_id)!;
  simParts.push(await interruptible((control) => sweep({
    base: { ...simBase, engine: 'sim', profile: profile, seed: run.seed, timing: { kind: 'gamma', shape: t.shape, heterogeneity: 'given', means: t.means } },
    vary: { rule: [run.rule] },
  }, { control })));
}
const tag = (t: aq.ColumnTable, engine: string) => t.derive({ engine: aq.escape(() => engine) });
const updates = stackTables([tag(ps.updates, 'ps'), ...simParts.map((p) => tag(p.updates, 'sim'))]);
const evals = stackTables([tag(ps.evals, 'ps'), ...simParts.map((p) => tag(p.evals, 'sim'))]);
const runs = stackTables([tag(ps.runs, 'ps'), ...simParts.map((p) => tag(p.runs, 'sim'))]);
console.log(`${runs.numRows()} runs: ${(runs.array('status') as string[]).filter((s) => s === 'finished').length} finished`);

// %% [markdown]
// ## Staleness distributions, measured and simulated
//
// The share of updates at each τ, per rule (clamped at 4N: the straggler's gradients are the tail).

// %%
const histogram = updates
  .derive({ tau: (d: { staleness: number }) => d.staleness })
  .groupby('engine', 'rule', 'tau').count({ as: 'count' });
report.table('staleness_histogram', histogram.orderby('rule', 'engine', 'tau'), 'updates per engine, rule and τ');
for (const rule of rules) {
  report.figure(`staleness_${rule}`, histogramFigure(histogram.filter(aq.escape((d: { rule: string }) => d.rule === rule)), {
    value: { column: 'tau', title: 'staleness τ (updates applied between pull and push)' },
    group: { column: 'engine', title: 'engine' }, weight: 'count', clampAt: 4 * N, barmode: 'group',
    title: `${rule}: τ on the parameter server vs the simulator at the measured speeds`,
  }));
}
const tauStats = updates
  .derive({ is_straggler: aq.escape((d: { worker: number }) => (d.worker === straggler.worker ? 'straggler' : 'others')) })
  .groupby('engine', 'rule', 'is_straggler')
  .rollup({ updates: aq.op.count(), tau_mean: aq.op.mean('staleness'), tau_p50: aq.op.median('staleness'), tau_p90: aq.op.quantile('staleness', 0.9), tau_max: aq.op.max('staleness') })
  .orderby('rule', 'is_straggler', 'engine');
const tauTable = report.table('staleness_by_worker_kind', tauStats, 'τ of the straggler\'s and the other workers\' updates, per engine and rule');

// %%
{
  const t = tauTable.objects() as { engine: string; rule: string; is_straggler: string; updates: number; tau_mean: number; tau_p90: number }[];
  const at = (engine: string, rule: string, kind: string) => t.find((r) => r.engine === engine && r.rule === rule && r.is_straggler === kind);
  const lines = rules.map((rule) => {
    const [pS, sS, pO, sO] = [at('ps', rule, 'straggler'), at('sim', rule, 'straggler'), at('ps', rule, 'others'), at('sim', rule, 'others')];
    return `- ${rule}: straggler τ mean ${fmt(pS?.tau_mean)} (ps) vs ${fmt(sS?.tau_mean)} (sim), ${pS?.updates ?? 0} vs ${sS?.updates ?? 0} of its updates; the others ${fmt(pO?.tau_mean)} vs ${fmt(sO?.tau_mean)}.`;
  });
  const slow = (speedTable.objects() as { worker: number; relative_cycle: number }[]).filter((r) => r.worker === straggler.worker).map((r) => r.relative_cycle);
  const p90 = (engine: string, kind: string) => rules.map((rule) => at(engine, rule, kind)?.tau_p90 ?? NaN);
  const higher = rules.filter((rule) => (at('ps', rule, 'straggler')?.tau_mean ?? NaN) > (at('sim', rule, 'straggler')?.tau_mean ?? NaN));
  report.markdown([
    `**Measured vs simulated τ** (N = ${N}, worker ${straggler.worker}'s compute made ${straggler.factor}× slower; its measured cycle is ` +
      `${slow.map((x) => fmt(x, 2)).join(', ')}× the typical worker's in the runs of ${rules.join(', ')}: communication and waiting for the server are not slowed down):`, '', ...lines, '',
    `Over all updates the mean τ of a parameter-server run is fixed: each of the N workers holds one job from the start until the budget drains, so ` +
      `Σ τ = (N − 1)(steps − N + 1) + (N − 1)(N − 2)/2 whatever the order of arrivals (the simulator keeps N jobs out to the end, so its mean is near N − 1 but not fixed). ` +
      'What can differ is who gets the large τ and how widely τ spreads. ' +
      `The straggler's mean τ is higher on the parameter server than in the simulator for ${higher.length} of ${rules.length} rules. ` +
      `The 90th percentile of the other workers' τ is ${p90('ps', 'others').map((x) => fmt(x)).join(', ')} measured vs ${p90('sim', 'others').map((x) => fmt(x)).join(', ')} simulated ` +
      '(rules in the order above): where the simulated spread is wider, independent gamma compute times scatter arrivals more than workers that share the cores and queue at one server.',
  ].join('\n'));
}

// %% [markdown]
// ## Accuracy
//
// Test accuracy during training (x: epochs, the same for both engines) and at the end.

// %%
for (const engine of ['ps', 'sim']) {
  report.figure(`test_accuracy_${engine}`, curveFigure(evals.filter(aq.escape((d: { engine: string; split: string }) => d.engine === engine && d.split === 'test')), {
    x: { column: 'epoch', title: 'epochs (samples processed / training-set size)' },
    y: { column: 'accuracy', title: 'test accuracy (fraction correct)' },
    group: { column: 'rule', title: 'rule' }, seed: 'seed',
    title: `Test accuracy, ${engine === 'ps' ? 'parameter server (measured)' : 'simulator at the measured speeds'}, N = ${N}`,
  }));
}
const accuracy = runs.groupby('rule', 'engine').rollup({ runs: aq.op.count(), final_test_accuracy: aq.op.mean('final_test_accuracy'), staleness_mean: aq.op.mean('staleness_mean') }).orderby('rule', 'engine');
const accTable = report.table('final_accuracy', accuracy, 'final test accuracy (mean over seeds) per rule and engine');

// %%
{
  const a = accTable.objects() as { rule: string; engine: string; final_test_accuracy: number }[];
  const get = (rule: string, engine: string) => a.find((r) => r.rule === rule && r.engine === engine)?.final_test_accuracy;
  const order = (engine: string) => [...rules].sort((x, y) => (get(y, engine) ?? -1) - (get(x, engine) ?? -1));
  const same = order('ps').join() === order('sim').join();
  const diff = Math.max(...rules.map((r) => Math.abs((get(r, 'ps') ?? NaN) - (get(r, 'sim') ?? NaN))).filter(Number.isFinite));
  const dropped = (ps.runs.array('dropped_gradients') as number[]).reduce((x, y) => x + y, 0);
  report.markdown([
    `**Final test accuracy** (${S.seeds.length} seed(s)): ${rules.map((r) => `${r} ${pct(get(r, 'ps'))} on ps vs ${pct(get(r, 'sim'))} simulated`).join('; ')}.`, '',
    `Ranked by accuracy, the rules come out ${same ? 'in the same order' : 'in a different order'} on the two engines ` +
      `(ps: ${order('ps').join(' > ')}; sim: ${order('sim').join(' > ')}); the largest gap for one rule is ${pct(diff)}. ` +
      `With ${S.seeds.length} seed(s) a gap of a few points is within seed-to-seed noise.`,
    `The parameter-server runs dropped ${dropped} gradient(s) (no worker died here: a non-zero count would be a bug).`,
  ].join('\n'));
}
