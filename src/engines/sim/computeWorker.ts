import { parentPort, workerData } from 'node:worker_threads';
import type { Batch } from '../../data/dataset.ts';
import type { GradientOracle } from '../../oracle/oracle.ts';
import { loadSpecModules } from '../../rules/moduleDefinitions.ts';
import { resolveProblem } from '../../run/problem.ts';
import type { ComputeInit, ComputeReply, ComputeRequest } from './computeMessages.ts';
import { Cell, computeJob, JobBoard } from './jobBoard.ts';

// Entry point of one compute thread of the simulator (computeThreads.ts): it builds the problem
// once, then serves runs one after another: for each, it claims jobs from the run's shared board,
// the next due first, reading θ from and writing g into the board's slots, until the master
// closes the board. Runs of the same problem reuse the thread, its data and its warm backend.
const init = workerData as ComputeInit;
const port = parentPort!;
const reply = (m: ComputeReply) => port.postMessage(m);
const failed = (e: unknown, thread: number) => reply({ type: 'error', message: `compute thread ${thread}: ${(e as Error).message}`, stack: (e as Error).stack });

async function serve(oracle: GradientOracle, m: Extract<ComputeRequest, { type: 'run' }>): Promise<void> {
  try {
    await loadSpecModules(m.rule, 'config.rule');
    if (oracle.dim !== m.board.dim) throw new Error(`the problem has D = ${oracle.dim}, the run ${m.board.dim}`);
    const board = new JobBoard(m.board);
    const batches = oracle.batches(m.batchSize, m.batchSeed);
    let batch: Batch | undefined;
    while (board.get(Cell.CLOSE) === 0) {
      const seen = board.get(Cell.SEQ);
      const j = board.claim();
      if (j < 0) {
        await board.sleep(seen);
        continue;
      }
      batch = await computeJob(board, j, oracle, batches, batch);
    }
    reply({ type: 'idle' });
  } catch (e) {
    failed(e, m.thread);
  }
}

try {
  const { oracle } = await resolveProblem(init.config, { worker: init.thread });
  let queue = Promise.resolve();
  // The listener also keeps the thread alive between runs (a pending Atomics.waitAsync does not).
  port.on('message', (m: ComputeRequest) => {
    if (m.type === 'run') queue = queue.then(() => serve(oracle, m));
    else
      void queue.then(() => {
        oracle.dispose();
        port.close();
      });
  });
  reply({ type: 'ready' });
} catch (e) {
  failed(e, init.thread);
  port.close();
}
