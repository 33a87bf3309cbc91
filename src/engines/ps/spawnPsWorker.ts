import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The environment variable that carries a parameter-server run's token (never argv, which any user can list). */
export const TOKEN_ENV = 'STALELAB_PS_TOKEN';

const STDERR_TAIL = 4000;

export interface LocalWorker {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The last few thousand characters the worker wrote to stderr (for a failure's message). */
  stderr(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
}

/**
 * Start one worker process on psWorkerMain, connecting to `endpoint` with `token`. From the
 * TypeScript sources it runs under tsx's loader (`node --import tsx`); from the compiled dist/
 * on psWorkerMain.js directly. The token travels in the environment; an IPC channel lets the
 * worker notice when this process is gone.
 */
export function spawnPsWorker(opts: { endpoint: string; token: string; env?: Record<string, string> }): LocalWorker {
  const here = import.meta.url;
  const fromSource = here.endsWith('.ts');
  const entry = fileURLToPath(new URL(fromSource ? './psWorkerMain.ts' : './psWorkerMain.js', here));
  const args = fromSource ? ['--import', import.meta.resolve('tsx'), entry, opts.endpoint] : [entry, opts.endpoint];
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env, [TOKEN_ENV]: opts.token };
  // A worker is not a test subprocess even when a test starts it.
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let tail = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    tail = (tail + s).slice(-STDERR_TAIL);
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  return { child, pid: child.pid ?? -1, stderr: () => tail.trim(), exited };
}
