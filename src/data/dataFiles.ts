import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { DataError } from './dataError.ts';

/**
 * Whether a data file is there: 'file', or 'missing' when nothing is at that path. Anything else
 * in its place (a folder, a socket) or an unreadable path is a DataError naming it, so the user
 * never gets a bare EISDIR.
 */
export function dataFileState(file: string, what: string): 'file' | 'missing' {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    throw new DataError(file, `cannot read ${what}: ${(e as Error).message}`);
  }
  if (st.isDirectory()) throw new DataError(file, `is a directory, expected ${what} (a file) here; move the folder away and put the file in its place`);
  if (!st.isFile()) throw new DataError(file, `is not a regular file, expected ${what}`);
  return 'file';
}

/** The bytes of a data file that dataFileState found; read errors name the file. */
export async function readDataFile(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    throw new DataError(file, `cannot read ${what}: ${(e as Error).message}`);
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Throws a DataError if two of the files have the same bytes (a batch copied over another), or if
 * one file is a block of `recordBytes`-sized records twice over (a batch appended to itself).
 * Every distinct file of a real dataset differs, so neither can be a false alarm.
 */
export function checkDistinctFiles(files: readonly { file: string; bytes: Uint8Array }[], what: string, recordBytes?: number): void {
  const seen = new Map<string, string>();
  for (const { file, bytes } of files) {
    if (bytes.length === 0) continue;
    const hash = sha256(bytes);
    const twin = seen.get(hash);
    if (twin) throw new DataError(file, `is a copy of ${twin} (the same bytes): a duplicated ${what}; restore the original file`);
    seen.set(hash, file);
    if (recordBytes && bytes.length % (2 * recordBytes) === 0) {
      const half = bytes.length / 2;
      if (Buffer.from(bytes.buffer, bytes.byteOffset, half).equals(Buffer.from(bytes.buffer, bytes.byteOffset + half, half))) {
        throw new DataError(file, `holds the same ${half / recordBytes} records twice (a doubled ${what}); restore the original ${basename(file)}`);
      }
    }
  }
}

/** Per-class label counts. */
export function classCounts(labels: ArrayLike<number>, numClasses: number): number[] {
  const h = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) h[labels[i]]++;
  return h;
}

/** "1,234" */
export const count = (n: number) => n.toLocaleString('en-US');
