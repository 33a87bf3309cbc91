import { parentPort, workerData } from 'node:worker_threads';
import type { Batch } from '../../data/dataset.ts';
import type { GradientOracle } from '../../oracle/oracle.ts';
import { loadSpecModules } from '../../rules/moduleDefinitions.ts';
import { resolveProblem } from '../../run/problem.ts';
import type { ComputeInit, ComputeReply } from './computeMessages.ts';
import { Cell, computeJob, JobBoard } from './jobBoard.ts';

// Entry point of one compute thread of the simulator's pool (ComputePool): it builds the run's
// problem itself, then claims jobs from the shared board, the next due first, reading θ from and
// writing g into the board's slots, until the master closes the board.
const init = workerData as ComputeInit;
const port = parentPort!;
const reply = (m: ComputeReply) => port.postMessage(m);
const board = new JobBoard(init.board);
// A pending Atomics.waitAsync holds no reference on the event loop: without a listener on the
// port, a thread sleeping between jobs would exit.
port.on('message', () => {});

let oracle: GradientOracle | undefined;
try {
  await loadSpecModules(init.config.rule, 'config.rule');
  oracle = (await resolveProblem(init.config, { worker: init.thread })).oracle;
  if (oracle.dim !== init.board.dim) throw new Error(`the problem has D = ${oracle.dim}, the run ${init.board.dim}`);
  const batches = oracle.batches(init.config.batchSize, init.batchSeed);
  reply({ type: 'ready' });
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
} catch (e) {
  reply({ type: 'error', message: `compute thread ${init.thread}: ${(e as Error).message}`, stack: (e as Error).stack });
} finally {
  oracle?.dispose();
  port.close();
}
