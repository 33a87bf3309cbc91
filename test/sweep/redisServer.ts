import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A real redis-server for tests: 127.0.0.1, a free port, a temporary directory; stop() removes it all. */
export interface TestRedis {
  port: number;
  url: string;
  dir: string;
  /** Kill it (SIGKILL: no shutdown save) and start it again on the same port and directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface TestRedisOptions {
  /** appendonly yes with appendfsync always: every acknowledged write survives a SIGKILL. */
  persistent?: boolean;
  password?: string;
  maxmemoryPolicy?: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ host: '127.0.0.1', port });
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

export async function startRedis(opts: TestRedisOptions = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'stalelab-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--logfile', join(dir, 'redis.log')];
  args.push('--appendonly', opts.persistent ? 'yes' : 'no');
  if (opts.persistent) args.push('--appendfsync', 'always');
  if (opts.password !== undefined) args.push('--requirepass', opts.password);
  args.push('--maxmemory-policy', opts.maxmemoryPolicy ?? 'noeviction');
  let proc: ChildProcess;
  const launch = async () => {
    proc = spawn('redis-server', args, { stdio: 'ignore' });
    const exited = new Promise<never>((_, reject) => {
      proc.once('exit', (code) => reject(new Error(`redis-server exited (${code}); see ${dir}/redis.log`)));
      proc.once('error', (e) => reject(new Error(`cannot start redis-server (${e.message}): install it, e.g. sudo apt-get install redis-server (.ci/run does)`)));
    });
    exited.catch(() => {});
    for (let i = 0; i < 200; i++) {
      if (await Promise.race([accepting(port), exited])) return;
      await sleep(25);
    }
    throw new Error(`redis-server did not listen on ${port}`);
  };
  const kill = async (signal: NodeJS.Signals) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill(signal);
    await gone;
  };
  await launch();
  const auth = opts.password !== undefined ? `:${encodeURIComponent(opts.password)}@` : '';
  return {
    port,
    dir,
    url: `redis://${auth}127.0.0.1:${port}`,
    async restart() {
      await kill('SIGKILL');
      await launch();
    },
    async stop() {
      await kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
