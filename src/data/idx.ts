import { gunzipSync } from 'node:zlib';
import { DataError } from './dataError.ts';
import { dataFileState, readDataFile } from './dataFiles.ts';

/**
 * An IDX array (the format of the original MNIST files, http://yann.lecun.com/exdb/mnist/):
 * bytes 0–1 are zero, byte 2 is the element type (0x08 = unsigned byte, the only type MNIST
 * uses and the only one read here), byte 3 the number of dimensions, then one big-endian uint32
 * per dimension, then the elements in row-major order.
 */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const UBYTE = 0x08;
const TYPE_NAMES: Record<number, string> = { 0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

/** Parse the bytes of an IDX file; `file` names it in errors. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) throw new DataError(file, `truncated IDX file: expected at least 4 header bytes, got ${bytes.length}`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(file, `bad IDX magic number: expected the first two bytes to be 0x00 0x00, got ${hex(bytes[0])} ${hex(bytes[1])}`);
  }
  const type = bytes[2];
  if (type !== UBYTE) {
    const known = TYPE_NAMES[type] ? ` (${TYPE_NAMES[type]})` : '';
    throw new DataError(file, `unsupported IDX element type ${hex(type)}${known}: only unsigned byte (0x08) is supported`);
  }
  const rank = bytes[3];
  if (rank < 1) throw new DataError(file, `bad IDX magic number: 0 dimensions`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DataError(file, `truncated IDX header: expected ${headerBytes} bytes for ${rank} dimensions, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count;
  if (bytes.length < expected) {
    throw new DataError(file, `truncated IDX file: expected ${expected} bytes for dimensions [${dims.join(', ')}], got ${bytes.length}`);
  }
  if (bytes.length > expected) {
    throw new DataError(file, `IDX file too long: expected ${expected} bytes for dimensions [${dims.join(', ')}], got ${bytes.length}`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Read and parse an IDX file, gunzipping it first if it is gzipped (`*-ubyte.gz`). */
export async function readIdxFile(file: string): Promise<IdxArray> {
  if (dataFileState(file, 'an IDX file') === 'missing') throw new DataError(file, 'no such file');
  let bytes: Uint8Array = await readDataFile(file, 'an IDX file');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new DataError(file, `corrupt gzip data: ${(e as Error).message}`);
    }
  }
  return parseIdx(bytes, file);
}

/** Images [n, rows, cols] and labels [n] from a pair of IDX files, checked against each other. */
export interface IdxImageSet {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** count × rows × cols bytes. */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

export async function readIdxImageSet(imagesFile: string, labelsFile: string): Promise<IdxImageSet> {
  const [images, labels] = await Promise.all([readIdxFile(imagesFile), readIdxFile(labelsFile)]);
  if (images.dims.length !== 3) {
    throw new DataError(imagesFile, `expected an IDX image file with 3 dimensions [count, rows, cols], got [${images.dims.join(', ')}]`);
  }
  if (labels.dims.length !== 1) {
    throw new DataError(labelsFile, `expected an IDX label file with 1 dimension [count], got [${labels.dims.join(', ')}]`);
  }
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw new DataError(labelsFile, `label/image count mismatch: it has ${labels.dims[0]} labels but ${imagesFile} has ${count} images`);
  }
  return { count, rows, cols, images: images.data, labels: labels.data };
}
