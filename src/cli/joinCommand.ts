import { ConfigError } from '../config/validate.ts';
import { TOKEN_ENV } from '../engines/ps/spawnPsWorker.ts';
import { PsRefusedError, runPsWorker } from '../engines/ps/psWorker.ts';
import type { CommandIo } from './runCommand.ts';

const ENDPOINT = /^tcp:\/\/[A-Za-z0-9.-]+:\d{1,5}$/;

/**
 * `stalelab join tcp://HOST:PORT --token T`: be one worker of a parameter-server run, in this
 * process, until the server says stop. The token may also come from STALELAB_PS_TOKEN (other
 * users of this machine can read a command line, not the environment). Ctrl-C leaves the run
 * (the server drops this worker's gradient in flight and goes on).
 */
export async function joinCommand(endpoint: string, opts: { token?: string; backend?: string; timeout?: number }, io: CommandIo): Promise<number> {
  if (!ENDPOINT.test(endpoint)) throw new ConfigError(`endpoint: got "${endpoint}"; expected tcp://HOST:PORT, e.g. tcp://10.0.0.5:5555 (what stalelab serve printed)`);
  const token = opts.token ?? process.env[TOKEN_ENV];
  if (!token) throw new ConfigError(`--token: required (or set ${TOKEN_ENV}): the token stalelab serve printed`);
  const controller = new AbortController();
  const onSigint = (): void => {
    io.err.write('\ninterrupt: leaving the run\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const end = await runPsWorker({ endpoint, token, backend: opts.backend, helloTimeoutSec: opts.timeout, signal: controller.signal });
    io.out.write(`worker ${end.worker} of ${endpoint}: stopped (${end.reason}) after ${end.gradients} gradients\n`);
    return 0;
  } catch (e) {
    if (controller.signal.aborted) return 130;
    io.err.write(`stalelab join: ${(e as Error).message}\n`);
    return e instanceof PsRefusedError ? 3 : 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
