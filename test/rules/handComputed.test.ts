import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quadraticObjective } from '../../src/oracle/objectiveOracle.ts';
import { runExperiment } from '../../src/run/runExperiment.ts';
import type { SimConfigInput } from '../../src/engines/sim/simConfig.ts';

/**
 * Each rule against the formulas of ALGORITHMS.md §2, recomputed here in plain float64 arithmetic
 * (no code shared with src/rules), on a quadratic with an explicit arrival schedule.
 */

type Base = 'sgd' | 'momentum' | 'nesterov' | 'multi' | 'dana-zero' | 'dana-slim';
type Pen = 'sa' | 'ga' | 'dc' | 'dc-master';
const RULES: Record<string, { base: Base; pens: Pen[]; dcAdaptive?: boolean; wdLast?: boolean }> = {
  asgd: { base: 'sgd', pens: [] },
  'momentum-asgd': { base: 'momentum', pens: [] },
  'nag-asgd': { base: 'nesterov', pens: [] },
  'multi-asgd': { base: 'multi', pens: [] },
  sa: { base: 'sgd', pens: ['sa'] },
  'sa-momentum': { base: 'momentum', pens: ['sa'] },
  'dc-asgd': { base: 'sgd', pens: ['dc'] },
  ga: { base: 'sgd', pens: ['ga'] },
  'ga-momentum': { base: 'momentum', pens: ['ga'] },
  'dana-zero': { base: 'dana-zero', pens: [] },
  'dana-slim': { base: 'dana-slim', pens: [] },
  'dana-dc': { base: 'dana-zero', pens: ['dc'], dcAdaptive: true },
  'ga-dana': { base: 'dana-zero', pens: ['ga'] },
  // PROTOCOL.md: λ = 2 against the master θ, before weight decay and momentum.
  'dana-dc-authors': { base: 'dana-zero', pens: ['dc-master'], wdLast: true },
};

interface Problem {
  diag: number[];
  b: number[];
  theta0: number[];
  workers: number;
  order: number[];
  lr: number;
  gamma: number;
  wd: number;
  dcLambda: number;
}

const P: Problem = {
  diag: [1, 0.5, 2],
  b: [0.3, -0.2, 0.1],
  theta0: [1, -1, 0.5],
  workers: 3,
  order: [0, 1, 0, 2, 1, 2, 0],
  lr: 0.1,
  gamma: 0.5,
  wd: 0.01,
  dcLambda: 0.5,
};

/** θ (the master's vector) after every update, in float64. */
function reference(rule: string, p: Problem, dcAdaptiveOverride?: boolean): number[][] {
  const { base, pens } = RULES[rule];
  const dcAdaptive = dcAdaptiveOverride ?? RULES[rule].dcAdaptive ?? false;
  const D = p.diag.length;
  const zeros = () => new Array<number>(D).fill(0);
  let theta = [...p.theta0];
  let v = zeros();
  const vi = Array.from({ length: p.workers }, zeros);
  let S = zeros();
  let gaS = zeros();
  let gaK = 0;
  let gaLrMax = 0;
  let ms = zeros();
  const look = () => (base === 'dana-zero' ? theta.map((t, j) => t - p.lr * p.gamma * S[j]) : [...theta]);
  const x = Array.from({ length: p.workers }, look);
  const sentAt = new Array<number>(p.workers).fill(0);
  let version = 0;
  const out: number[][] = [];
  for (const i of p.order) {
    let g = x[i].map((xj, j) => p.diag[j] * xj - p.b[j]);
    if (!RULES[rule].wdLast) g = g.map((gj, j) => gj + p.wd * theta[j]);
    const now = look();
    const gap = now.map((a, j) => a - x[i][j]);
    const tau = version - sentAt[i];
    for (const pen of pens) {
      if (pen === 'sa') g = g.map((gj) => gj / Math.max(1, tau));
      if (pen === 'ga') {
        const u = base === 'momentum' || base === 'nesterov' ? v : base === 'sgd' ? g : vi[i];
        gaS = gaS.map((s, j) => 0.999 * s + 0.001 * u[j] * u[j]);
        gaK += 1;
        gaLrMax = Math.max(gaLrMax, p.lr);
        g = g.map((gj, j) => {
          const C = gaLrMax * (Math.sqrt(gaS[j] / (1 - 0.999 ** gaK)) + 1e-8);
          return gj / (1 + Math.abs(gap[j]) / C);
        });
      }
      if (pen === 'dc') {
        if (dcAdaptive) {
          ms = ms.map((m, j) => 0.95 * m + 0.05 * g[j] * g[j]);
          g = g.map((gj, j) => gj + (2 / Math.sqrt(ms[j] + 1e-7)) * gj * gj * gap[j]);
        } else {
          g = g.map((gj, j) => gj + p.dcLambda * gj * gj * gap[j]);
        }
      }
      if (pen === 'dc-master') g = g.map((gj, j) => gj + 2 * gj * gj * (theta[j] - x[i][j]));
    }
    if (RULES[rule].wdLast) g = g.map((gj, j) => gj + p.wd * theta[j]);
    const gm = p.gamma;
    if (base === 'sgd') theta = theta.map((t, j) => t - p.lr * g[j]);
    if (base === 'momentum') {
      v = v.map((vj, j) => gm * vj + g[j]);
      theta = theta.map((t, j) => t - p.lr * v[j]);
    }
    if (base === 'nesterov') {
      v = v.map((vj, j) => gm * vj + g[j]);
      theta = theta.map((t, j) => t - p.lr * (g[j] + gm * v[j]));
    }
    if (base === 'multi') {
      vi[i] = vi[i].map((vj, j) => gm * vj + g[j]);
      theta = theta.map((t, j) => t - p.lr * vi[i][j]);
    }
    if (base === 'dana-zero') {
      S = S.map((s, j) => s - vi[i][j]);
      vi[i] = vi[i].map((vj, j) => gm * vj + g[j]);
      S = S.map((s, j) => s + vi[i][j]);
      theta = theta.map((t, j) => t - p.lr * vi[i][j]);
    }
    if (base === 'dana-slim') {
      vi[i] = vi[i].map((vj, j) => gm * vj + g[j]);
      theta = theta.map((t, j) => t - p.lr * (gm * vi[i][j] + g[j]));
    }
    version++;
    out.push([...theta]);
    x[i] = look();
    sentAt[i] = version;
  }
  return out;
}

/** The named rule with this problem's parameters: each goes to the part of the rule that takes it. */
function ruleWith(rule: string, p: Problem, extra: Record<string, unknown>) {
  const { base, pens } = RULES[rule];
  return { name: rule, weightDecay: p.wd, ...(base !== 'sgd' ? { momentum: p.gamma } : {}), ...(pens.includes('dc') ? { lambda: p.dcLambda } : {}), ...extra };
}

async function simulate(rule: string, p: Problem, extra: Partial<SimConfigInput> = {}, ruleParams: Record<string, unknown> = {}) {
  const oracle = quadraticObjective({ diag: p.diag, b: p.b, theta0: p.theta0 });
  return runExperiment(
    {
      rule: ruleWith(rule, p, ruleParams),
      lr: p.lr,
      workers: p.workers,
      timing: { kind: 'schedule', order: p.order },
      steps: p.order.length,
      batchSize: 1,
      returnTrajectory: true,
      divergeLoss: 'off',
      ...extra,
    },
    undefined,
    { oracle },
  );
}

function assertClose(actual: ArrayLike<number>, expected: number[], what: string, rel = 2e-6): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let j = 0; j < expected.length; j++) {
    const tol = rel * Math.max(1, Math.abs(expected[j]));
    assert.ok(Math.abs(actual[j] - expected[j]) <= tol, `${what}[${j}]: got ${actual[j]}, expected ${expected[j]} (±${tol})`);
  }
}

for (const rule of Object.keys(RULES)) {
  test(`${rule}: θ after each update matches the float64 formulas (N=3, explicit schedule, wd > 0)`, async () => {
    const result = await simulate(rule, P);
    assert.equal(result.record.status, 'finished');
    const expected = reference(rule, P);
    result.trajectory!.forEach((theta, k) => assertClose(theta, expected[k], `${rule} step ${k + 1}`));
    // The trajectory must actually move differently from plain ASGD where the rule differs.
    if (rule !== 'asgd' && rule !== 'sa') {
      const asgd = reference('asgd', P);
      assert.ok(expected.some((t, k) => t.some((x, j) => Math.abs(x - asgd[k][j]) > 1e-4)), `${rule} differs from asgd on this schedule`);
    }
  });
}

test('dc-asgd with the adaptive λ option matches the formulas', async () => {
  const result = await simulate('dc-asgd', P, {}, { adaptive: true });
  const expected = reference('dc-asgd', P, true);
  result.trajectory!.forEach((theta, k) => assertClose(theta, expected[k], `dc-asgd adaptive step ${k + 1}`));
});

test('ssgd: barrier rounds average N gradients at θ and take one heavy-ball step', async () => {
  const p = { ...P, workers: 4 };
  const result = await runExperiment(
    { rule: { name: 'ssgd', momentum: p.gamma, weightDecay: p.wd }, lr: p.lr, workers: 4, timing: { kind: 'round-robin' }, steps: 4, batchSize: 1, returnTrajectory: true },
    undefined,
    { oracle: quadraticObjective({ diag: p.diag, b: p.b, theta0: p.theta0 }) },
  );
  // A deterministic gradient: the mean of 4 equal gradients is the gradient; one update per round.
  let theta = [...p.theta0];
  let v = [0, 0, 0];
  result.trajectory!.forEach((got, k) => {
    const g = theta.map((t, j) => p.diag[j] * t - p.b[j] + p.wd * t);
    v = v.map((vj, j) => p.gamma * vj + g[j]);
    theta = theta.map((t, j) => t - p.lr * v[j]);
    assertClose(got, theta, `ssgd round ${k + 1}`);
  });
  const u = result.updates.objects() as { samples: number; staleness: number; worker: number | null; sim_time: number }[];
  assert.deepEqual(u.map((r) => r.samples), [4, 8, 12, 16], 'a round processes N·B samples');
  assert.ok(u.every((r) => r.staleness === 0 && r.worker === null));
  assert.deepEqual(u.map((r) => r.sim_time), [1, 2, 3, 4], 'round-robin rounds last one time unit');
});

test('hand-computed: ASGD and GA on f = ½θ², θ0 = 1, η = 0.5, arrivals 0, 1, 0', async () => {
  const oracle = () => quadraticObjective({ diag: [1], theta0: 1 });
  const cfg = (rule: 'asgd' | 'ga'): SimConfigInput => ({
    rule, lr: 0.5, workers: 2, timing: { kind: 'schedule', order: [0, 1, 0] }, steps: 3, batchSize: 1, returnTrajectory: true,
  });
  // ASGD: g(1) = 1 → θ = 0.5; worker 1 still holds θ0 = 1 → θ = 0; worker 0 holds 0.5 → θ = −0.25.
  const asgd = await runExperiment(cfg('asgd'), undefined, { oracle: oracle() });
  assert.deepEqual(asgd.trajectory!.map((t) => t[0]), [0.5, 0, -0.25]);
  assert.deepEqual(asgd.updates.array('staleness'), [0, 1, 1]);
  assert.deepEqual(asgd.updates.array('gap_rmse'), [0, 0.5, 0.5]);

  // GA: update 1 has Δ = 0 → G = 1, θ = 0.5. Update 2: Δ = 0.5 − 1, u = g = 1,
  // s = 0.999·0.001 + 0.001 = 0.001999, k = 2, √(s/(1 − 0.999²)) = 1, C = 0.5(1 + 1e-8),
  // G = 1 + 0.5/C ≈ 2, θ = 0.5 − 0.5·1/G. Update 3: Δ = θ2 − 0.5, u = g = 0.5.
  const C2 = 0.5 * (1 + 1e-8);
  const G2 = 1 + 0.5 / C2;
  const th2 = 0.5 - (0.5 * 1) / G2;
  const s3 = 0.999 * 0.001999 + 0.001 * 0.25;
  const C3 = 0.5 * (Math.sqrt(s3 / (1 - 0.999 ** 3)) + 1e-8);
  const G3 = 1 + Math.abs(th2 - 0.5) / C3;
  const th3 = th2 - (0.5 * 0.5) / G3;
  const ga = await runExperiment(cfg('ga'), undefined, { oracle: oracle() });
  assertClose(ga.trajectory!.map((t) => t[0]), [0.5, th2, th3], 'ga');
  assertClose(ga.updates.array('penalty_mean') as number[], [1, G2, G3], 'ga penalty');
  assert.ok(Math.abs(th3 - 0.0915) < 1e-3, `th3 ≈ 0.0915 by hand, formula gives ${th3}`);
});
