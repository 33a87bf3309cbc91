import { DataError } from './dataError.ts';
import type { Dataset } from './dataset.ts';
import { bytesToFloat, type PixelScale } from './pixelScale.ts';

/** One split of an image set as it is stored: NHWC bytes and byte labels. */
export interface ByteImageSplit {
  readonly size: number;
  /** size × height × width × channels bytes, NHWC. */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

/** An image classification set in its stored byte form, before scaling to floats. */
export interface ByteImageSet {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
  readonly train: ByteImageSplit;
  readonly test: ByteImageSplit;
  /** A partial copy loaded with allowPartial: see Dataset.partial. */
  readonly partial?: true;
  readonly missing?: readonly string[];
}

/** Throws unless every label is a class index below numClasses; `where` names the source. */
export function checkLabels(labels: Uint8Array, numClasses: number, where: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw new DataError(where, `label ${labels[i]} at index ${i} is out of range (expected 0…${numClasses - 1})`);
    }
  }
}

/** The float Dataset of a byte image set, pixels scaled per `scale` (see PixelScale). */
export function byteImagesToDataset(name: string, set: ByteImageSet, scale: PixelScale): Dataset {
  const split = (s: ByteImageSplit) => ({ x: bytesToFloat(s.images, scale), y: Int32Array.from(s.labels), size: s.size });
  return {
    name,
    task: 'classification',
    inputShape: [set.height, set.width, set.channels],
    numClasses: set.numClasses,
    train: split(set.train),
    test: split(set.test),
    ...(set.partial ? { partial: true, missing: set.missing ?? [] } : {}),
  };
}
