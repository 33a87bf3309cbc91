import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRng } from '../../src/rng/rng.ts';
import { deriveStepSize } from '../../src/stepsize/deriveStepSize.ts';
import { makeStalenessScaler, stalenessScalerStateBytes, stepSizeSpecSchema } from '../../src/stepsize/makeStalenessScaler.ts';
import { parseConfig } from '../../src/config/validate.ts';

const T = 4;

/** Drive a scaler as an engine does (scale before observe); returns the scales used. */
function drive(scaler: ReturnType<typeof makeStalenessScaler>, taus: number[]): number[] {
  return taus.map((tau) => {
    const s = scaler.scale(tau);
    scaler.observe(tau);
    return s;
  });
}

test('TAIL-τ: s ≡ 1 before update 15T, then derived from updates 10T..15T and frozen', () => {
  const rng = makeRng(3);
  const taus = Array.from({ length: 400 }, (_, i) => (i < 200 ? rng.int(2 * T) : 3 * T + rng.int(20)));
  const scaler = makeStalenessScaler({ kind: 'tail-tau' }, T);
  const used = drive(scaler, taus);
  for (let i = 0; i < 15 * T; i++) assert.equal(used[i], 1, `update ${i} is in the warm-up`);
  const window = new Array(200).fill(0);
  for (const tau of taus.slice(10 * T, 15 * T)) window[tau]++;
  const expected = deriveStepSize(window, 'tail-tau');
  for (let i = 15 * T; i < taus.length; i++) assert.equal(used[i], expected.s(taus[i]), `update ${i}`);
  // Updates 200.. are staler than anything in the window, so they get 1 − A = 0, and observing
  // them does not move the frozen histogram.
  assert.ok(used.slice(200).every((s) => s === 0));
  for (let tau = 0; tau < 30; tau++) assert.equal(scaler.scale(tau), expected.s(tau));
  assert.equal(scaler.describe().frozen, true);
  assert.equal(scaler.describe().warmupUpdates, 15 * T);
});

test('normalised exponential uses the same warm-up window and meets E_P[s] = 1 on it', () => {
  const rng = makeRng(4);
  const taus = Array.from({ length: 100 }, () => rng.int(3 * T));
  const scaler = makeStalenessScaler({ kind: 'normalised-exponential', c: 1.2 }, T);
  const used = drive(scaler, taus);
  assert.ok(used.slice(0, 15 * T).every((s) => s === 1));
  const window = taus.slice(10 * T, 15 * T);
  const mean = window.reduce((a, tau) => a + scaler.scale(tau), 0) / window.length;
  assert.ok(Math.abs(mean - 1) < 1e-9, `mean s over the window = ${mean}`);
});

test('custom warm-up bounds and the strict CDF', () => {
  const scaler = makeStalenessScaler({ kind: 'tail-tau', cdf: 'strict', warmupStart: 0, warmupEnd: 2 }, 2);
  const used = drive(scaler, [0, 1, 1, 2, 0]);
  // Window = τ of updates 0..3 = [0, 1, 1, 2]: strict F(0) = 0, F(1) = 0.25, F(2) = 0.75.
  assert.deepEqual(used, [1, 1, 1, 1, 2]);
  assert.equal(scaler.scale(1), 1.5);
  assert.equal(scaler.scale(2), 0.5);
  assert.equal(scaler.scale(3), 0);
});

test('sliding refresh re-derives s from the newest window; off by default', () => {
  const frozen = makeStalenessScaler({ kind: 'tail-tau', warmupStart: 0, warmupEnd: 1 }, 4);
  const refreshed = makeStalenessScaler({ kind: 'tail-tau', warmupStart: 0, warmupEnd: 1, refresh: { mode: 'sliding', window: 8, every: 4 } }, 4);
  const taus = [...new Array(4).fill(0), ...new Array(12).fill(10)];
  drive(frozen, taus);
  drive(refreshed, taus);
  // Frozen on τ ≡ 0: τ = 10 is staler than anything seen.
  assert.equal(frozen.scale(10), 0);
  // Refreshed on the last 8 values (all 10): τ = 10 is the median now.
  assert.equal(refreshed.scale(10), 1);
  assert.equal(refreshed.scale(0), 2);
});

test('decayed refresh weights recent staleness more', () => {
  const s = makeStalenessScaler({ kind: 'tail-tau', warmupStart: 0, warmupEnd: 1, refresh: { mode: 'decayed', halfLife: 2, every: 1 } }, 1);
  drive(s, [5, 5, 5, 5, 5, 5, 5, 5, 1, 1]);
  const w = (age: number) => Math.pow(2, -age / 2);
  const p1 = (w(0) + w(1)) / [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].reduce((a, age) => a + w(age), 0);
  assert.ok(Math.abs(s.scale(1) - (1 + (1 - p1))) < 1e-12, `s(1) = ${s.scale(1)}`);
});

test('scalers sharing one state buffer warm up on the union of their updates', () => {
  const spec = { kind: 'tail-tau' as const, warmupStart: 1, warmupEnd: 2 };
  const state = new SharedArrayBuffer(stalenessScalerStateBytes(spec));
  const a = makeStalenessScaler(spec, 2, { state });
  const b = makeStalenessScaler(spec, 2, { state });
  drive(a, [9, 9]); // updates 0, 1: before the window (updates 2, 3)
  drive(b, [0]);
  assert.equal(a.scale(0), 1, 'window not complete yet');
  drive(b, [1]);
  drive(a, [7, 8]); // after the window: ignored
  const expected = deriveStepSize([1, 1], 'tail-tau');
  for (const tau of [0, 1, 2, 3]) {
    assert.equal(a.scale(tau), expected.s(tau));
    assert.equal(b.scale(tau), expected.s(tau));
  }
  assert.throws(() => makeStalenessScaler(spec, 2, { state: new SharedArrayBuffer(8) }), /bytes/);
});

test('static kinds scale from the first update and describe themselves', () => {
  const fleet = makeStalenessScaler({ kind: 'fleet-exponential' }, 16);
  assert.ok(Math.abs(fleet.scale(2) - Math.exp(-2 * (2 / 17) * Math.log(9))) < 1e-15);
  assert.equal(fleet.describe().kind, 'fleet-exponential');
  assert.equal(makeStalenessScaler({ kind: 'inverse' }, 4).scale(3), 0.25);
  assert.equal(makeStalenessScaler({ kind: 'constant' }, 4).scale(1000), 1);
  assert.throws(() => makeStalenessScaler({ kind: 'constant' }, 0), /parallelism/);
  assert.throws(() => makeStalenessScaler({ kind: 'constant' }, 4).observe(1.5), /non-negative integer/);
});

test('stepSizeSpecSchema is strict and fills documented defaults', () => {
  assert.deepEqual(parseConfig(stepSizeSpecSchema, { kind: 'tail-tau' }, 'stepSize'), {
    kind: 'tail-tau',
    amplitude: 1,
    cdf: 'mid',
    maxTau: 199,
    warmupStart: 10,
    warmupEnd: 15,
    refresh: null,
  });
  assert.throws(() => parseConfig(stepSizeSpecSchema, { kind: 'tail-tau', refresh: { mode: 'sliding', window: 5 } }, 'stepSize'), /stepSize\.refresh\.every/);
  assert.throws(() => parseConfig(stepSizeSpecSchema, { kind: 'inverse', form: 'sa' }, 'stepSize'), /stepSize\.form.*"tau-plus-one"\|"max-one-tau"/);
  assert.throws(() => parseConfig(stepSizeSpecSchema, { kind: 'constant', c: 2 }, 'stepSize'), /unknown field "c"/);
});

test('polynomial: measured τ̄ from the warm-up window, or FLSim\'s given mean from the first update', () => {
  const rng = makeRng(5);
  const taus = Array.from({ length: 100 }, () => rng.int(3 * T));
  const measured = drive(makeStalenessScaler({ kind: 'polynomial', exponent: 1 }, T), taus);
  assert.ok(measured.slice(0, 15 * T).every((s) => s === 1));
  const window = taus.slice(10 * T, 15 * T);
  const mean = window.reduce((a, b) => a + b, 0) / window.length;
  for (let i = 15 * T; i < taus.length; i++) assert.ok(Math.abs(measured[i] - (1 + mean) / (1 + taus[i])) < 1e-12, `update ${i}`);
  const given = drive(makeStalenessScaler({ kind: 'polynomial', exponent: 1, meanStaleness: 2 }, T), taus);
  taus.forEach((tau, i) => assert.equal(given[i], 3 / (1 + tau)));
});
