import os from 'node:os';
import { spawnPsWorker, type LocalWorker } from './spawnPsWorker.ts';

/** Milliseconds local workers get to exit after the stop before they are killed. */
const EXIT_GRACE_MS = 10_000;

/**
 * The worker processes a run starts on this machine: which have joined, which failed before
 * joining (with the end of their stderr, for the run's message), and the stop at the end.
 */
export class LocalWorkers {
  private readonly byPid = new Map<number, LocalWorker>();
  private readonly joined = new Set<number>();
  readonly failures: string[] = [];
  private readonly host = os.hostname();

  constructor(count: number, endpoint: string, token: string, onExit: (pid: number, code: number | null, signal: string | null) => void) {
    for (let k = 0; k < count; k++) {
      const w = spawnPsWorker({ endpoint, token });
      this.byPid.set(w.pid, w);
      void w.exited.then(({ code, signal }) => onExit(w.pid, code, signal));
    }
  }

  /** Note a joined worker; true when it is one of these processes. */
  joinedAs(pid: number, host: string): boolean {
    if (host !== this.host || !this.byPid.has(pid)) return false;
    this.joined.add(pid);
    return true;
  }

  /** Note an exit; returns the failure line when the process died before it joined. */
  exited(pid: number, code: number | null, signal: string | null): string | null {
    const w = this.byPid.get(pid);
    if (!w || this.joined.has(pid)) return null;
    const tail = w.stderr().split('\n').slice(-3).join(' | ');
    const line = `pid ${pid} ${signal ? `killed by ${signal}` : `exit code ${code}`}${tail ? `: ${tail}` : ''}`;
    this.failures.push(line);
    return line;
  }

  /** Processes started that have neither joined nor failed yet. */
  get starting(): number {
    return this.byPid.size - this.joined.size - this.failures.length;
  }

  /** Wait for every process to exit after the server's stop; kill those that do not in time. */
  async stop(): Promise<void> {
    const all = [...this.byPid.values()];
    const timer = setTimeout(() => {
      for (const w of all) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    }, EXIT_GRACE_MS);
    await Promise.all(all.map((w) => w.exited));
    clearTimeout(timer);
  }
}
