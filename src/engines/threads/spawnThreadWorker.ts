import { Worker } from 'node:worker_threads';
import type { WorkerInit } from './workerMessages.ts';

/**
 * Start one worker thread on threadWorker. From the TypeScript sources (run through tsx), Node 20
 * cannot start a Worker on a .ts file, so the worker begins with a two-line ES module bootstrap
 * (a data: URL) that registers tsx and then imports the entry; from the compiled dist/ it starts
 * on threadWorker.js directly. Configuration travels in workerData.
 */
export function spawnThreadWorker(init: WorkerInit): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./threadWorker.js', here), { workerData: init });
  const entry = new URL('./threadWorker.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import { register } from ${JSON.stringify(tsx)};\nregister();\nawait import(${JSON.stringify(entry)});\n`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { workerData: init });
}
