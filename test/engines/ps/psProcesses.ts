import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Live worker processes started by `pid` (Linux /proc; tsx's esbuild service is a child too). */
export function workerPids(pid = process.pid): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid …; comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) !== pid || fields[0] === 'Z') continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('psWorkerMain')) out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
