import { TOKEN_ENV } from './spawnPsWorker.ts';
import { PsRefusedError, runPsWorker } from './psWorker.ts';

// Entry point of a local worker process (started by spawnPsWorker): argv[2] is the server's
// endpoint, the token is in the environment. Exit status: 0 stopped by the server, 3 refused, 1 error.
const endpoint = process.argv[2];
const token = process.env[TOKEN_ENV] ?? '';
const controller = new AbortController();
// The IPC channel closes when the process that started this one is gone: stop rather than linger.
process.on('disconnect', () => controller.abort());
try {
  await runPsWorker({ endpoint, token, signal: controller.signal });
  process.exitCode = 0;
} catch (e) {
  process.stderr.write(`stalelab ps worker ${process.pid}: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = e instanceof PsRefusedError ? 3 : 1;
}
process.disconnect?.();
