import { parentPort, workerData } from 'node:worker_threads';
import { makeStalenessScaler } from '../stepsize/makeStalenessScaler.ts';
import { attachControl, Cell, requestStop } from './sharedControl.ts';
import { attachStore } from './parameterMemory.ts';
import { loadThreadObjective } from './loadThreadObjective.ts';
import { runThreadLoop } from './threadLoop.ts';
import { UpdateRowBuffer } from './updateRows.ts';
import type { ThreadStats, WorkerInit, WorkerMessage } from './workerMessages.ts';
import type { ThreadObjective } from './threadObjective.ts';

// Entry point of one worker thread (started by spawnThreadWorker).
const init = workerData as WorkerInit;
const port = parentPort!;
const { config, thread } = init;
const control = attachControl(init.control);
const stats: ThreadStats = { submitted: 0, applied: 0, dropped: 0, overlapped: 0, invariantViolations: null, casFailures: 0 };
const send = (m: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
const rows = new UpdateRowBuffer(512, (r, n) => send({ type: 'rows', thread, n, rows: r }, Object.values(r).map((a) => a.buffer as ArrayBuffer)));

let objective: ThreadObjective | undefined;
try {
  objective = (await loadThreadObjective(config, thread)).objective;
  const store = attachStore(init.memory, control, config.persistence, thread);
  const scaler = makeStalenessScaler(config.stepSize, config.threads, { state: init.scalerState });
  send({ type: 'ready', thread });
  Atomics.wait(control.cells, Cell.GO, 0);
  await runThreadLoop({ objective, store, scaler, control, lr: config.lr, budget: config.updates ?? Infinity, rows, stats });
  rows.drain();
  send({ type: 'done', thread, stats });
} catch (e) {
  requestStop(control);
  rows.drain();
  const err = e instanceof Error ? e : new Error(String(e));
  send({ type: 'error', thread, message: err.message, stack: err.stack, stats });
} finally {
  objective?.dispose();
}
