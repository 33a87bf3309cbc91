import { test } from 'node:test';
import { STEP_SIZE_KINDS } from '../../src/stepsize/stepSizeSpec.ts';
import assert from 'node:assert/strict';
import { makeRng } from '../../src/rng/rng.ts';
import { deriveStepSize } from '../../src/stepsize/deriveStepSize.ts';
import { fleetBeta } from '../../src/stepsize/staticStepSizes.ts';
import { ConfigError } from '../../src/config/validate.ts';

/** Histograms of different shapes: random, geometric-like, a single point, gaps, mass at the clamp. */
function histograms(): { name: string; counts: number[] }[] {
  const rng = makeRng(7);
  const random = Array.from({ length: 40 }, () => rng.int(50));
  const geometric = Array.from({ length: 60 }, (_, t) => Math.round(1000 * Math.pow(0.8, t)));
  const point = [0, 0, 0, 17];
  const gaps = [5, 0, 0, 3, 0, 9, 0, 0, 0, 1];
  const beyondClamp = Array.from({ length: 300 }, (_, t) => (t % 7 === 0 ? 3 : 0)); // folds into τ = 199
  return [
    { name: 'random', counts: random },
    { name: 'geometric', counts: geometric },
    { name: 'point', counts: point },
    { name: 'gaps', counts: gaps },
    { name: 'beyondClamp', counts: beyondClamp },
  ];
}

function assertNonIncreasing(s: (tau: number) => number, upTo: number, label: string): void {
  for (let t = 0; t < upTo; t++) {
    assert.ok(s(t + 1) <= s(t) + 1e-15, `${label}: s(${t + 1}) = ${s(t + 1)} > s(${t}) = ${s(t)}`);
  }
}

test('TAIL-τ mid and normalised exponential meet Σ P(τ)s(τ) = 1 on the P they were derived from', () => {
  for (const { name, counts } of histograms()) {
    for (const amplitude of [1, 0.5, 0.25]) {
      const mid = deriveStepSize(counts, 'tail-tau', { amplitude });
      assert.ok(Math.abs(mid.expectedScale - 1) < 1e-9, `${name} A=${amplitude}: E[s] = ${mid.expectedScale}`);
    }
    for (const c of [1.05, 1.5, 4]) {
      const ne = deriveStepSize(counts, 'normalised-exponential', { c });
      assert.ok(Math.abs(ne.expectedScale - 1) < 1e-9, `${name} c=${c}: E[s] = ${ne.expectedScale}`);
    }
  }
});

test("strict TAIL-τ exceeds 1 by exactly A·Σp̂² and matches the authors' tail table", () => {
  for (const { name, counts } of histograms()) {
    for (const amplitude of [1, 0.5]) {
      const d = deriveStepSize(counts, 'tail-tau', { cdf: 'strict', amplitude });
      const sumP2 = d.distribution.p.reduce((a, p) => a + p * p, 0);
      assert.ok(sumP2 > 0);
      assert.ok(Math.abs(d.expectedScale - 1 - amplitude * sumP2) < 1e-12, `${name}: ${d.expectedScale} vs 1 + ${amplitude * sumP2}`);
      // compute_tail_dist: tail[j] = (count of τ < j) / N, then s = 1 + A(1 − 2 tail[τ]).
      let below = 0;
      const n = d.distribution.total;
      for (let t = 0; t < 199; t++) {
        const expected = 1 + amplitude * (1 - (2 * below) / n);
        assert.ok(Math.abs(d.s(t) - expected) < 1e-12, `${name}: s(${t})`);
        below += d.distribution.counts[t];
      }
    }
  }
});

test('every kind is non-increasing in τ and within its bounds', () => {
  for (const { name, counts } of histograms()) {
    for (const cdf of ['mid', 'strict'] as const) {
      const d = deriveStepSize(counts, 'tail-tau', { cdf, amplitude: 1 });
      assertNonIncreasing(d.s, 400, `${name} tail-${cdf}`);
      for (let t = 0; t <= 400; t++) assert.ok(d.s(t) >= 0 && d.s(t) <= 2, `${name} tail-${cdf}: s(${t}) = ${d.s(t)}`);
      // τ past the clamp gets s(maxTau); staler than anything seen gets ≈ 1 − A = 0.
      assert.equal(d.s(10_000), d.s(199));
    }
    const ne = deriveStepSize(counts, 'normalised-exponential', { c: 1.3 });
    assertNonIncreasing(ne.s, 400, `${name} normalised-exponential`);
    // s(0) = 1/E[c^(−τ)] lies in [1, c^(largest observed τ)]; every s(τ) in (0, s(0)].
    let last = 199;
    while (ne.distribution.counts[last] === 0) last--;
    assert.ok(ne.s(0) >= 1 && ne.s(0) <= Math.pow(1.3, last) * (1 + 1e-12), `${name}: s(0) = ${ne.s(0)}`);
    for (let t = 0; t <= 400; t++) assert.ok(ne.s(t) > 0 && ne.s(t) <= ne.s(0), `${name}: s(${t}) = ${ne.s(t)}`);
    for (const [kind, opts] of [
      ['constant', {}],
      ['inverse', { form: 'tau-plus-one' }],
      ['inverse', { form: 'max-one-tau' }],
      ['fleet-exponential', { threads: 16 }],
    ] as const) {
      const d = deriveStepSize(counts, kind, opts);
      assertNonIncreasing(d.s, 400, `${name} ${kind}`);
      for (let t = 0; t <= 400; t++) assert.ok(d.s(t) > 0 && d.s(t) <= 1);
    }
  }
});

test('static kinds follow their formulas and shrink the mean step (they violate C1)', () => {
  const counts = Array.from({ length: 40 }, (_, t) => Math.exp(-Math.pow(t - 15, 2) / 20)); // τ around T − 1 = 15
  const inv = deriveStepSize(counts, 'inverse');
  assert.equal(inv.s(0), 1);
  assert.equal(inv.s(3), 1 / 4);
  const sa = deriveStepSize(counts, 'inverse', { form: 'max-one-tau' });
  assert.equal(sa.s(0), 1);
  assert.equal(sa.s(1), 1);
  assert.equal(sa.s(4), 1 / 4);
  assert.ok(Math.abs(fleetBeta(16) - (2 / 17) * Math.log(9)) < 1e-15);
  assert.ok(Math.abs(fleetBeta(3) - (2 / 4) * Math.log(3)) < 1e-15);
  const fleet = deriveStepSize(counts, 'fleet-exponential', { threads: 16 });
  assert.ok(Math.abs(fleet.s(5) - Math.exp(-5 * fleetBeta(16))) < 1e-15);
  assert.ok(inv.expectedScale < 0.1, `inverse E[s] = ${inv.expectedScale}`);
  assert.ok(fleet.expectedScale < 0.1, `fleet E[s] = ${fleet.expectedScale}`);
  assert.ok(Math.abs(deriveStepSize(counts, 'constant').expectedScale - 1) < 1e-12);
});

test('the table holds tau, count, p, cdf and s up to one past the largest observed τ', () => {
  const d = deriveStepSize([2, 0, 6, 2], 'tail-tau');
  assert.deepEqual(d.table.columnNames(), ['tau', 'count', 'p', 'cdf', 's']);
  assert.equal(d.table.numRows(), 5);
  assert.deepEqual(d.table.array('p'), [0.2, 0, 0.6, 0.2, 0]);
  const cdf = d.table.array('cdf') as number[];
  assert.ok(Math.abs(cdf[3] - 1) < 1e-15);
  // mid CDF: F(0) = 0.1, F(2) = 0.2 + 0.3, F(3) = 0.8 + 0.1, F(4) = 1.
  const s = d.table.array('s') as number[];
  const expected = [1.8, 1.6, 1, 0.2, 0];
  s.forEach((v, t) => assert.ok(Math.abs(v - expected[t]) < 1e-12, `s(${t}) = ${v}`));
});

test('bad options are errors that name the field and the allowed values', () => {
  assert.throws(() => deriveStepSize([1], 'tail-tau', { cdf: 'middle' }), (e: Error) => e instanceof ConfigError && /stepSize\.cdf/.test(e.message) && /"mid"\|"strict"/.test(e.message));
  assert.throws(() => deriveStepSize([1], 'tail-tau', { amplitude: 1.5 }), /stepSize\.amplitude/);
  assert.throws(() => deriveStepSize([1], 'tail-tau', { ampltude: 1 }), /unknown field "ampltude"/);
  assert.throws(() => deriveStepSize([1], 'normalised-exponential', {}), /stepSize\.c/);
  assert.throws(() => deriveStepSize([1], 'normalised-exponential', { c: 1 }), /stepSize\.c/);
  assert.throws(() => deriveStepSize([1], 'fleet-exponential'), /threads/);
  assert.throws(() => deriveStepSize([1], 'exponential' as never), new RegExp(`stepSize\\.kind: got "exponential"; allowed values: ${STEP_SIZE_KINDS.map((k) => `"${k}"`).join(', ')}`));
  assert.throws(() => deriveStepSize([0, 0], 'tail-tau'), /no staleness observations/);
  assert.throws(() => deriveStepSize([1, -1], 'tail-tau'), /histogram\[1\]/);
  assert.throws(() => deriveStepSize([1], 'tail-tau', { warmupStart: 15, warmupEnd: 15 }), /warmupEnd must be greater/);
  assert.throws(() => deriveStepSize([1], 'tail-tau').s(-1), /non-negative integer/);
});

test('polynomial (FLSim): s = 1 at the mean τ, ((1+τ̄)/(1+τ))^a elsewhere, average step ≥ 1 (Jensen)', () => {
  for (const { name, counts } of histograms()) {
    const d = deriveStepSize(counts, 'polynomial', { exponent: 0.5 });
    let mean = 0;
    const total = d.distribution.counts.reduce((a, b) => a + b, 0);
    d.distribution.counts.forEach((c, t) => (mean += (t * c) / total));
    for (const t of [0, 1, 5, 30, 199]) assert.ok(Math.abs(d.s(t) - Math.sqrt((1 + mean) / (1 + t))) < 1e-12, `${name}: s(${t})`);
    assertNonIncreasing(d.s, 400, `${name} polynomial`);
    assert.ok(d.expectedScale >= 1 - 1e-12, `${name}: Σ P s = ${d.expectedScale}`);
  }
  // With FLSim's given avg_staleness it is a static kind: the histogram does not enter.
  const given = deriveStepSize([1, 0, 0, 0, 0, 0, 0, 0, 0, 9], 'polynomial', { exponent: 1, meanStaleness: 3 });
  assert.equal(given.s(3), 1);
  assert.equal(given.s(7), 0.5);
  assert.equal(deriveStepSize([4, 4], 'polynomial', { exponent: 0 }).s(100), 1, 'a = 0 is the constant step');
  assert.throws(() => deriveStepSize([1], 'polynomial', { exponent: 1.5 }), /stepSize\.exponent/);
});
