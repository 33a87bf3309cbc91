import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KernelScratch } from './kernelScratch.ts';
import { assertDyShape, conv2dGradGeometry, type Conv2DGradAttrs } from './conv2dGradGeometry.ts';

/**
 * Conv2DBackpropInput for the wasm backend as one XNNPACK Conv2D; replaces tfjs's own wasm
 * kernel, a direct loop that is the slower part of a LeNet step.
 *
 * dx[n,h,w,ci] = Σ dy[n,i,j,co] · w[a,b,ci,co] over i·s + a − padTop = h (same for columns).
 * Spreading dy out with s−1 zeros between entries ("dilating" it) turns this into a stride-1
 * correlation of the dilated dy, padded by kh−1−padTop on top, with the filter flipped in
 * space and its channel axes swapped ([kh,kw,Co,Ci]).
 */
export function conv2dBackpropInputWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as Conv2DGradAttrs & { inputShape: [number, number, number, number] };
  const g = conv2dGradGeometry(tf.Conv2DBackpropInput, attrs.inputShape, filter.shape, attrs);
  assertDyShape(tf.Conv2DBackpropInput, dy.shape, g);
  const [sh, sw] = [g.strideHeight, g.strideWidth];

  const scratch = new KernelScratch(args.backend as BackendWasm);
  try {
    // Dilate by padding each entry with s−1 zeros after it: [N,Ho,1,Wo,1,Co] → [N,Ho·s,Wo·s,Co].
    // This leaves s−1 surplus zero rows/columns at the end, which the bottom pad absorbs.
    const dilated =
      sh === 1 && sw === 1
        ? dy
        : scratch.reshape(
            scratch.pad(scratch.reshape(dy, [g.batch, g.outHeight, 1, g.outWidth, 1, g.outChannels]), [
              [0, 0],
              [0, 0],
              [0, sh - 1],
              [0, 0],
              [0, sw - 1],
              [0, 0],
            ]),
            [g.batch, g.outHeight * sh, g.outWidth * sw, g.outChannels],
          );
    const [, dilatedH, dilatedW] = dilated.shape;
    const flipped = scratch.transpose(scratch.reverse(filter, [0, 1]), [0, 1, 3, 2]);

    const top = g.filterHeight - 1 - g.padTop;
    const left = g.filterWidth - 1 - g.padLeft;
    const bottom = g.inHeight + g.filterHeight - 1 - top - dilatedH;
    const right = g.inWidth + g.filterWidth - 1 - left - dilatedW;
    // Negative pads (explicit pads wider than the filter, or the surplus dilation zeros) are
    // clamped to 0 and the extra output rows/columns cropped afterwards.
    const full = scratch.conv2d(dilated, flipped, [1, 1], [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ]);
    const [, fullH, fullW] = full.shape;
    const dx =
      fullH === g.inHeight && fullW === g.inWidth
        ? full
        : scratch.slice(full, [0, Math.max(0, -top), Math.max(0, -left), 0], [g.batch, g.inHeight, g.inWidth, g.inChannels]);
    return scratch.release(dx);
  } catch (error) {
    scratch.releaseAll();
    throw error;
  }
}
