import { CIFAR10_RECORD_BYTES, CIFAR10_RECORDS_PER_BATCH } from '../../src/data/cifar10.ts';

/**
 * A full-size CIFAR-10 batch file in the real layout: batch b's record r has label r mod 10 (so
 * 1,000 of each class per batch) and pixel bytes that tell b and r apart, so no two records or
 * batches are equal. For the loader's tests and the reliability probes.
 */
export function syntheticCifarBatch(b: number): Buffer {
  const bytes = Buffer.alloc(CIFAR10_RECORDS_PER_BATCH * CIFAR10_RECORD_BYTES);
  for (let r = 0; r < CIFAR10_RECORDS_PER_BATCH; r++) {
    const rec = r * CIFAR10_RECORD_BYTES;
    bytes[rec] = r % 10;
    bytes[rec + 1] = b;
    bytes[rec + 2] = r & 0xff;
    bytes[rec + 3] = r >> 8;
  }
  return bytes;
}
