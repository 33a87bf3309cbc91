import { after } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A test file's scratch root under the OS temp dir, removed after its tests; each call of the result makes a new empty directory in it. */
export function tempDirs(prefix: string): () => string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(root, { recursive: true, force: true }));
  let dirs = 0;
  return () => {
    const d = join(root, `d${dirs++}`);
    mkdirSync(d);
    return d;
  };
}
