import { parentPort, workerData } from 'node:worker_threads';
import type { GradientOracle } from '../../oracle/oracle.ts';
import { mixSeed } from '../../rng/rng.ts';
import { loadSpecModules } from '../../rules/moduleDefinitions.ts';
import { resolveProblem } from '../../run/problem.ts';
import { runSchedule } from '../../run/runSchedule.ts';
import { attachStore } from './parameterMemory.ts';
import { makeSharedBound } from './sharedBound.ts';
import { attachControl, Cell, requestStop } from './sharedControl.ts';
import { runThreadLoop } from './threadLoop.ts';
import { ThreadRowBuffer } from './threadRows.ts';
import type { ThreadStats, WorkerInit, WorkerMessage } from './workerMessages.ts';

// Entry point of one worker thread (started by WorkerGang through spawnWorker).
const init = workerData as WorkerInit;
const port = parentPort!;
const { config, thread } = init;
const control = attachControl(init.control);
const stats: ThreadStats = { submitted: 0, applied: 0, dropped: 0, overlapped: 0, invariantViolations: null, casFailures: 0 };
const send = (m: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
const rows = new ThreadRowBuffer(512, (r, n) => send({ type: 'rows', thread, n, rows: r }, Object.values(r).map((a) => a.buffer as ArrayBuffer)));

let oracle: GradientOracle | undefined;
try {
  await loadSpecModules(config.rule, 'config.rule');
  oracle = (await resolveProblem(config, { worker: thread })).oracle;
  const { store } = attachStore(init.memory, config.rule, oracle.init(config.seed), config.workers, control, config.persistence, thread);
  send({ type: 'ready', thread });
  Atomics.wait(control.cells, Cell.GO, 0);
  await runThreadLoop({
    worker: thread,
    oracle,
    batches: oracle.batches(config.batchSize, mixSeed(config.seed, 7001)),
    batchSize: config.batchSize,
    store,
    control,
    lrAt: runSchedule(config, oracle.trainSize),
    bound: makeSharedBound(control, config.divergeLoss),
    budget: init.budget,
    rows,
    stats,
    onPause: () => {
      rows.drain();
      send({ type: 'paused', thread, stats: { ...stats } });
    },
  });
  rows.drain();
  send({ type: 'done', thread, stats });
} catch (e) {
  requestStop(control);
  rows.drain();
  const err = e instanceof Error ? e : new Error(String(e));
  send({ type: 'error', thread, message: err.message, stack: err.stack, stats });
} finally {
  oracle?.dispose();
}
