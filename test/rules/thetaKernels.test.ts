/**
 * The θ passes in C (native/src/theta_kernels.inc), in each instruction-set variant this CPU has,
 * give the same bits as their JavaScript loops (thetaLoops.ts), so a run's tables do not depend on
 * whether the addon is built or which variant ran: every length class mod 4, values across
 * float32's range, overflow to ±Inf on the store, NaN. (The sums that only tell whether a vector
 * is finite, a step's checksum among them, may add in another order; gap and penalty sums are
 * recorded and keep theirs.) CI sets STALELAB_REQUIRE_NATIVE=1, so there a missing addon fails
 * rather than skips.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBlasAddon } from '../../src/backend/blas/blasAddon.ts';
import { danaGap, danaLookAhead, danaStep, delayCompensate, divideBy, gapAwarePenalty, gapToTheta, momentumStep, momentumStepWithGap, sgdUpdate, sgdUpdateWithGap, sumOf, thetaKernels } from '../../src/rules/bases/thetaOps.ts';
import { danaGapJs, danaSendJs, danaStepJs, delayCompensationJs, divideJs, gapAwareJs, gapToThetaJs, momentumStepJs, momentumStepWithGapJs, sgdUpdateJs, sgdUpdateWithGapJs, sumJs } from '../../src/rules/bases/thetaLoops.ts';
import { makeRng } from '../../src/rng/rng.ts';

const loaded = loadBlasAddon();
const missing = 'error' in loaded ? loaded.error : null;
if (missing && process.env.STALELAB_REQUIRE_NATIVE) throw new Error(`STALELAB_REQUIRE_NATIVE is set but ${missing}`);
const chosen = process.env.STALELAB_THETA_KERNELS;
const skip = missing ? `the native addon is not available: ${missing}` : chosen ? `STALELAB_THETA_KERNELS=${chosen} picks the passes` : false;
const hasAvx2 = /\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));

function sample(n: number, seed: number, special: boolean): Float32Array {
  const rng = makeRng(seed);
  const v = new Float32Array(n);
  for (let j = 0; j < n; j++) v[j] = (rng.uniform() - 0.5) * 10 ** Math.floor(rng.uniform() * 12 - 6);
  if (special) {
    v[3] = 3.0e38; // with lr·g below, the step overflows float32 on the store
    v[n - 2] = -1e-40; // subnormal
  }
  return v;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

test('the native θ passes equal the JavaScript loops bit for bit, in every variant this CPU has', { skip }, () => {
  if ('error' in loaded) return;
  const setIsa = loaded.addon.thetaIsa!;
  assert.equal(thetaKernels(), hasAvx2 ? 'avx2' : 'base', 'the addon is built, so the engines use its fastest variant');
  for (const isa of hasAvx2 ? ['avx2', 'base'] : ['base']) {
    assert.equal(setIsa(isa), isa);
    assert.equal(thetaKernels(), isa);
    compareWithJs();
    compareRulePassesWithJs();
  }
  setIsa(hasAvx2 ? 'avx2' : 'base');
});

/** The checksum of a step only says whether θ is finite: the addon may add in its own order. */
function sameChecksum(a: number, b: number, n: number, what: string): void {
  assert.equal(Number.isFinite(a), Number.isFinite(b), `${what}: finite`);
  if (Number.isFinite(b)) assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)) * n, `${what}: ${a} vs ${b}`);
}

/** The momentum and DANA-Zero passes, Gap-Aware's penalty, the division and DC-ASGD's correction, against their JavaScript loops. */
function compareRulePassesWithJs(): void {
  for (const n of [1024, 1025, 1026, 1027, 4099, 101770]) {
    for (const special of [false, true]) {
      const theta = sample(n, 3 * n, special);
      const g = sample(n, 3 * n + 1, false);
      if (special) g[3] = -3.0e38;
      const x = sample(n, 3 * n + 2, false);
      const v0 = sample(n, 3 * n + 3, false);
      const lr = special ? 0.5 : 0.0137;
      for (const nesterov of [false, true]) {
        const [ta, tb, va, vb] = [theta.slice(), theta.slice(), v0.slice(), v0.slice()];
        sameChecksum(momentumStep(ta, va, g, lr, 0.9, nesterov), momentumStepJs(tb, vb, g, lr, 0.9, nesterov), n, `momentumStep nesterov ${nesterov}, n = ${n}`);
        assert.deepEqual(bits(ta), bits(tb), `momentumStep θ, nesterov ${nesterov}, n = ${n}`);
        assert.deepEqual(bits(va), bits(vb), `momentumStep v, nesterov ${nesterov}, n = ${n}`);
      }
      const [ta, tb, va, vb] = [theta.slice(), theta.slice(), v0.slice(), v0.slice()];
      const [qa, qb] = [{ gapSq: 0 }, { gapSq: 0 }];
      sameChecksum(momentumStepWithGap(ta, va, g, lr, 0.9, x, qa), momentumStepWithGapJs(tb, vb, g, lr, 0.9, x, qb), n, `momentumStepWithGap, n = ${n}`);
      assert.ok(same(qa.gapSq, qb.gapSq), `momentumStepWithGap gap, n = ${n}: ${qa.gapSq} vs ${qb.gapSq}`);
      assert.deepEqual(bits(ta), bits(tb), `momentumStepWithGap θ, n = ${n}`);
      assert.deepEqual(bits(va), bits(vb), `momentumStepWithGap v, n = ${n}`);
      // Gap-Aware: u the momentum buffer, or g itself (read before g is divided); zero gaps give G = 1.
      const gap = sample(n, 3 * n + 4, false);
      for (let j = 0; j < n; j += 7) gap[j] = 0;
      const s0 = sample(n, 3 * n + 5, false).map(Math.abs);
      for (const aliased of [false, true]) {
        const [sa, sb, ga, gb] = [s0.slice(), s0.slice(), g.slice(), g.slice()];
        const [pa, pb] = [{ total: 0, max: 0 }, { total: 0, max: 0 }];
        gapAwarePenalty(sa, ga, aliased ? ga : v0, gap, 0.999, 1 / (1 - 0.999 ** 7), lr, 1e-8, pa);
        gapAwareJs(sb, gb, aliased ? gb : v0, gap, 0.999, 1 / (1 - 0.999 ** 7), lr, 1e-8, pb);
        assert.ok(same(pa.total, pb.total) && same(pa.max, pb.max), `gapAware Σ G and max, u ${aliased ? 'g' : 'v'}, n = ${n}: ${pa.total}/${pa.max} vs ${pb.total}/${pb.max}`);
        assert.ok(pa.max > 1, 'some coordinate was penalised');
        assert.deepEqual(bits(sa), bits(sb), `gapAware s, n = ${n}`);
        assert.deepEqual(bits(ga), bits(gb), `gapAware g, n = ${n}`);
      }
      const [da, db] = [g.slice(), g.slice()];
      divideBy(da, 3);
      divideJs(db, 3);
      assert.deepEqual(bits(da), bits(db), `divide, n = ${n}`);
      // DANA-Zero: the look-ahead, its gap (zero where x is the look-ahead itself), the receive.
      const sum = sample(n, 3 * n + 6, false);
      const c = lr * 0.9;
      const [ha, hb] = [new Float32Array(n), new Float32Array(n)];
      danaLookAhead(ha, theta, sum, c);
      danaSendJs(hb, theta, sum, c);
      assert.deepEqual(bits(ha), bits(hb), `danaSend, n = ${n}`);
      const xs = x.slice();
      xs.set(ha.subarray(0, 100));
      const [oa, ob] = [new Float32Array(n), new Float32Array(n)];
      assert.ok(same(danaGap(theta, sum, c, xs, oa), danaGapJs(theta, sum, c, xs, ob)), `danaGap, n = ${n}`);
      assert.deepEqual(bits(oa), bits(ob), `danaGap difference, n = ${n}`);
      assert.ok(oa.subarray(0, 100).every((d) => d === 0), 'an unchanged look-ahead has gap 0');
      assert.ok(same(danaGap(theta, sum, c, xs, null), danaGapJs(theta, sum, c, xs, null)), `danaGap without out, n = ${n}`);
      const [tc, td, vc, vd, sc, sd] = [theta.slice(), theta.slice(), v0.slice(), v0.slice(), sum.slice(), sum.slice()];
      sameChecksum(danaStep(tc, vc, sc, g, lr, 0.9), danaStepJs(td, vd, sd, g, lr, 0.9), n, `danaStep, n = ${n}`);
      assert.deepEqual(bits(tc), bits(td), `danaStep θ, n = ${n}`);
      assert.deepEqual(bits(vc), bits(vd), `danaStep v, n = ${n}`);
      assert.deepEqual(bits(sc), bits(sd), `danaStep S, n = ${n}`);
      // DC-ASGD's correction, constant and adaptive λ.
      for (const adaptive of [false, true]) {
        const [ge, gf, me, mf] = [g.slice(), g.slice(), s0.slice(), s0.slice()];
        delayCompensate(ge, gap, adaptive ? me : null, 0.04, 2, 0.95, 1e-7);
        delayCompensationJs(gf, gap, adaptive ? mf : null, 0.04, 2, 0.95, 1e-7);
        assert.deepEqual(bits(ge), bits(gf), `delayCompensation g, adaptive ${adaptive}, n = ${n}`);
        assert.deepEqual(bits(me), bits(mf), `delayCompensation ms, adaptive ${adaptive}, n = ${n}`);
        assert.ok(ge.some((v, j) => v !== g[j]), 'the correction changed g');
      }
    }
  }
}

function compareWithJs(): void {
  for (const n of [1024, 1025, 1026, 1027, 4099, 101770]) {
    for (const special of [false, true]) {
      const theta = sample(n, n, special);
      const g = sample(n, n + 1, false);
      if (special) g[3] = -3.0e38;
      const x = sample(n, n + 2, false);
      const lr = special ? 0.5 : 0.0137;
      const a = theta.slice();
      const b = theta.slice();
      assert.ok(same(sgdUpdate(a, g, lr), sgdUpdateJs(b, g, lr)), `sgdUpdate checksum, n = ${n}`);
      assert.deepEqual(bits(a), bits(b), `sgdUpdate θ, n = ${n}`);
      if (special) assert.equal(a[3], Infinity, 'the overflow reached the store');
      const qa = { gapSq: 0 };
      const qb = { gapSq: 0 };
      assert.ok(same(sgdUpdateWithGap(a, g, lr, x, qa), sgdUpdateWithGapJs(b, g, lr, x, qb)), `sgdUpdateWithGap checksum, n = ${n}`);
      assert.ok(same(qa.gapSq, qb.gapSq), `sgdUpdateWithGap gap, n = ${n}`);
      assert.deepEqual(bits(a), bits(b), `sgdUpdateWithGap θ, n = ${n}`);
      const da = new Float32Array(n);
      const db = new Float32Array(n);
      assert.ok(same(gapToTheta(theta, x, da), gapToThetaJs(theta, x, db)), `gapToTheta, n = ${n}`);
      assert.deepEqual(bits(da), bits(db), `gapToTheta difference, n = ${n}`);
      assert.ok(same(gapToTheta(theta, x, null), gapToThetaJs(theta, x, null)), `gapToTheta without out, n = ${n}`);
      // The sum only tells whether a vector is finite; the addon adds in its own order.
      const [sa, sj] = [sumOf(a), sumJs(a)];
      assert.equal(Number.isFinite(sa), Number.isFinite(sj), `sum finite, n = ${n}`);
      if (Number.isFinite(sj)) assert.ok(Math.abs(sa - sj) <= 1e-9 * Math.max(1, Math.abs(sj)) * n, `sum, n = ${n}: ${sa} vs ${sj}`);
      if (special) assert.ok(!Number.isFinite(sumOf(a)), 'a non-finite θ gives a non-finite sum');
      g[7] = NaN;
      assert.ok(Number.isNaN(sumOf(g)) && Number.isNaN(sumJs(g)), 'NaN propagates');
    }
  }
}

test('the native θ passes refuse arrays of different lengths instead of reading past one', { skip }, () => {
  if ('error' in loaded) return;
  const a = loaded.addon;
  assert.throws(() => a.sgdStep!(new Float32Array(2048), new Float32Array(2047), 0.1), /same length/);
  assert.throws(() => a.gapSq!(new Float32Array(2048), new Float32Array(2048), new Float32Array(5)), /of that length/);
  assert.throws(() => a.sgdStepWithGap!(new Float32Array(8), new Float32Array(8), 0.1, new Float32Array(8), new Float64Array(0)), /gapSq: Float64Array/);
  assert.throws(() => a.thetaIsa!('sse9'), /one of avx2, base/);
  if (!hasAvx2) assert.throws(() => a.thetaIsa!('avx2'), /no avx2/);
});

test('STALELAB_THETA_KERNELS names the allowed implementations when set to another', { skip }, () => {
  const script = `import { sgdUpdate } from ${JSON.stringify(new URL('../../src/rules/bases/thetaOps.ts', import.meta.url).href)}; sgdUpdate(new Float32Array(2048), new Float32Array(2048), 0.1);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, STALELAB_THETA_KERNELS: 'fast' } });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /STALELAB_THETA_KERNELS must be one of js, base, avx2 .*got 'fast'/);
});

test('a simulated run writes the same tables with the native passes (fastest and base) as with STALELAB_THETA_KERNELS=js', { skip }, () => {
  // A child process per implementation: the choice is made once, when thetaOps.ts loads.
  const script = `
    import { runExperiment } from ${JSON.stringify(new URL('../../src/run/runExperiment.ts', import.meta.url).href)};
    const out = [];
    for (const rule of ['asgd', 'ga', 'sa-momentum', 'ga-momentum', 'nag-asgd', 'momentum-asgd', 'dana-zero', 'dana-slim', 'ga-dana', 'multi-asgd', 'dc-asgd', 'dana-dc', 'dana-dc-authors']) {
      const r = await runExperiment({ objective: { name: 'quadratic', dim: 4099, noise: 0.5 }, rule, lr: 0.05, workers: 8, steps: 300, evalEvery: 50, seed: 2 });
      out.push(r.updates.objects(), r.evals.objects());
    }
    console.log(JSON.stringify(out));`;
  const tables = (kernels: string) => execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, STALELAB_THETA_KERNELS: kernels } });
  const native = tables('');
  assert.ok(native.length > 1000);
  assert.equal(native, tables('js'));
  assert.equal(native, tables('base'));
});
