import { parentPort, workerData } from 'node:worker_threads';
import type { GradientOracle } from '../../oracle/oracle.ts';
import { loadSpecModules } from '../../rules/moduleDefinitions.ts';
import { resolveProblem } from '../../run/problem.ts';
import type { ComputeInit, ComputeReply, ComputeRequest } from './computeMessages.ts';

// Entry point of one compute thread of the simulator's pool (ComputePool): it builds the run's
// problem itself and computes the gradients of the jobs it is given, reading θ from and writing g
// into the shared job slots.
const init = workerData as ComputeInit;
const port = parentPort!;
const slot = (buffer: SharedArrayBuffer, i: number) => new Float32Array(buffer, i * init.dim * 4, init.dim);
const reply = (m: ComputeReply) => port.postMessage(m);

let oracle: GradientOracle | undefined;
try {
  await loadSpecModules(init.config.rule, 'config.rule');
  oracle = (await resolveProblem(init.config, { worker: init.thread })).oracle;
  if (oracle.dim !== init.dim) throw new Error(`compute thread ${init.thread}: the problem has D = ${oracle.dim}, the run ${init.dim}`);
  const batches = oracle.batches(init.config.batchSize, init.batchSeed);
  const ready = oracle;
  port.on('message', (m: ComputeRequest) => {
    if (m.type === 'close') {
      ready.dispose();
      port.close();
      return;
    }
    // One job at a time: the pool sends the next only after this reply.
    void (async () => {
      try {
        const r = await ready.gradient(slot(init.thetas, m.theta), batches.at(m.batch));
        slot(init.grads, m.grad).set(r.g);
        reply({ type: 'done', grad: m.grad, loss: r.loss, ...(r.stats ? { stats: r.stats.slice() } : {}) });
      } catch (e) {
        reply({ type: 'error', message: `compute thread ${init.thread}: ${(e as Error).message}`, stack: (e as Error).stack });
      }
    })();
  });
  reply({ type: 'ready' });
} catch (e) {
  oracle?.dispose();
  reply({ type: 'error', message: `compute thread ${init.thread}: ${(e as Error).message}`, stack: (e as Error).stack });
}
