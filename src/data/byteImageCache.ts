import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import type { ByteImageSet, ByteImageSplit } from './byteImages.ts';

/**
 * Binary cache of a ByteImageSet, so a dataset converted once from a slow source (JSON) reloads
 * in a fraction of a second. Layout, little-endian:
 *   0  magic "STLBIMG\0" (8 bytes)
 *   8  u32 format version (CACHE_VERSION)
 *  12  u32 metadata length M
 *  16  f64 payload length P
 *  24  u32 CRC-32 of metadata + payload
 *  28  metadata: M bytes of UTF-8 JSON (shape, sizes, and the caller's `source` description)
 *  28+M payload: train images, train labels, test images, test labels (P bytes)
 * The total size, the CRC and the shape in the metadata are all checked on load.
 */
export const CACHE_VERSION = 1;
const MAGIC = 'STLBIMG\0';
const HEADER_BYTES = 28;

/** A cache file that exists but cannot be used (truncated, corrupt, other version or source). */
export class CacheError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: unusable dataset cache: ${reason}`);
    this.name = 'CacheError';
  }
}

interface CacheMeta {
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  trainSize: number;
  testSize: number;
  /** What the cache was built from (package version, split seed, …); must match on load. */
  source: Record<string, string | number>;
}

function payloadLength(m: CacheMeta): number {
  const pixels = m.height * m.width * m.channels;
  return (m.trainSize + m.testSize) * (pixels + 1);
}

/** Write `set` to `file` atomically (a temp file in the same folder, then rename). */
export async function writeImageCache(file: string, set: ByteImageSet, source: Record<string, string | number>): Promise<void> {
  const meta: CacheMeta = {
    height: set.height,
    width: set.width,
    channels: set.channels,
    numClasses: set.numClasses,
    trainSize: set.train.size,
    testSize: set.test.size,
    source,
  };
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  const parts = [metaBytes, set.train.images, set.train.labels, set.test.images, set.test.labels];
  const payload = parts.slice(1).reduce((n, p) => n + p.length, 0);
  if (payload !== payloadLength(meta)) throw new Error(`writeImageCache: arrays do not match the shape (${payload} ≠ ${payloadLength(meta)} bytes)`);
  let crc = 0;
  for (const p of parts) crc = crc32(p, crc);
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(CACHE_VERSION, 8);
  header.writeUInt32LE(metaBytes.length, 12);
  header.writeDoubleLE(payload, 16);
  header.writeUInt32LE(crc, 24);
  await mkdir(dirname(file), { recursive: true });
  // Several workers may build the same cache at once: each writes its own temp file.
  const tmp = `${file}.${process.pid}-${threadId}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, Buffer.concat([header, ...parts]));
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Read a cache written by writeImageCache. Throws CacheError if it is truncated, corrupt, of
 * another format version, or was built from a different `source`; ENOENT if it does not exist.
 */
export async function readImageCache(file: string, source: Record<string, string | number>): Promise<ByteImageSet> {
  const buf = await readFile(file);
  if (buf.length < HEADER_BYTES) throw new CacheError(file, `truncated: expected at least ${HEADER_BYTES} header bytes, got ${buf.length}`);
  if (buf.toString('latin1', 0, 8) !== MAGIC) throw new CacheError(file, 'bad magic (not a stalelab image cache)');
  const version = buf.readUInt32LE(8);
  if (version !== CACHE_VERSION) throw new CacheError(file, `format version ${version}, expected ${CACHE_VERSION}`);
  const metaLen = buf.readUInt32LE(12);
  const payload = buf.readDoubleLE(16);
  const expected = HEADER_BYTES + metaLen + payload;
  if (buf.length !== expected) throw new CacheError(file, `${buf.length < expected ? 'truncated' : 'too long'}: expected ${expected} bytes, got ${buf.length}`);
  const body = buf.subarray(HEADER_BYTES);
  if (crc32(body) !== buf.readUInt32LE(24)) throw new CacheError(file, 'checksum mismatch (corrupt data)');
  let meta: CacheMeta;
  try {
    meta = JSON.parse(body.toString('utf8', 0, metaLen)) as CacheMeta;
  } catch {
    throw new CacheError(file, 'metadata is not valid JSON');
  }
  if (payloadLength(meta) !== payload) throw new CacheError(file, `payload of ${payload} bytes does not match the shape in its metadata`);
  if (JSON.stringify(meta.source) !== JSON.stringify(source)) {
    throw new CacheError(file, `built from ${JSON.stringify(meta.source)}, expected ${JSON.stringify(source)}`);
  }
  const pixels = meta.height * meta.width * meta.channels;
  let at = HEADER_BYTES + metaLen;
  const take = (n: number): Uint8Array => {
    const out = buf.subarray(at, at + n);
    at += n;
    return out;
  };
  const split = (size: number): ByteImageSplit => ({ size, images: take(size * pixels), labels: take(size) });
  const train = split(meta.trainSize);
  const test = split(meta.testSize);
  return { height: meta.height, width: meta.width, channels: meta.channels, numClasses: meta.numClasses, train, test };
}
