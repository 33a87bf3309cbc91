import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small tmpfs of its own, for real ENOSPC and EROFS: chmod does not stop root, and these tests
 * run as root in CI. Where mounting is not permitted, `skip` says why and the test skips.
 */
export interface ScratchMount {
  readonly dir: string;
  readOnly(): void;
  unmount(): void;
}

export function mountTmpfs(size: string): ScratchMount | { skip: string } {
  const dir = mkdtempSync(join(tmpdir(), 'stalelab-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `cannot mount a tmpfs here (needs root and mount permission): ${String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim()}` };
  }
  return {
    dir,
    readOnly: () => execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'pipe' }),
    unmount: () => {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
