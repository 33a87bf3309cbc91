import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';

/** What one in-process CLI call returned and wrote. */
export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** A stream that hands every chunk to `append`; not a TTY, so the CLI prints no progress bar. */
export const sink = (append: (s: string) => void) =>
  Object.assign(new Writable({ write: (chunk, _enc, done) => (append(String(chunk)), done()) }), { isTTY: false }) as unknown as NodeJS.WriteStream;

/** Run `stalelab ARGS…` in this process (no child process: fast, and the tests share its modules), capturing its output. */
export async function cli(...args: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await main(['node', 'stalelab', ...args], { out: sink((s) => (out += s)), err: sink((s) => (err += s)) });
  return { code, out, err };
}
