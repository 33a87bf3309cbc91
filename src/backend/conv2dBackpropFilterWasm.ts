import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KernelScratch } from './kernelScratch.ts';
import { assertDyShape, conv2dGradGeometry, type Conv2DGradAttrs } from './conv2dGradGeometry.ts';

/**
 * Conv2DBackpropFilter for the wasm backend (tfjs 4.22 has none), built from wasm's XNNPACK
 * Conv2D.
 *
 * dW[a,b,ci,co] = Σ_{n,i,j} xp[n, i·s+a, j·s+b, ci] · dy[n,i,j,co], with xp the padded input.
 * Read xp as a batch of Ci images [Ci,Hp,Wp] with N channels and dy as a filter [Ho,Wo,N,Co]:
 * then dW is a stride-1 convolution of the one by the other with dilation s (the forward
 * stride), giving [Ci,kh,kw,Co], transposed to [kh,kw,Ci,Co]. The padding goes into the
 * convolution itself, so x is only transposed, never copied into a padded buffer.
 */
export function conv2dBackpropFilterWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as Conv2DGradAttrs & { filterShape: [number, number, number, number] };
  const g = conv2dGradGeometry(tf.Conv2DBackpropFilter, x.shape, attrs.filterShape, attrs);
  assertDyShape(tf.Conv2DBackpropFilter, dy.shape, g);

  // Rows the forward pass read: (Ho−1)·s + kh. With 'valid', trailing rows of x may be unused;
  // a negative bottom pad is clamped and the surplus output rows cropped below.
  const bottom = (g.outHeight - 1) * g.strideHeight + g.filterHeight - g.inHeight - g.padTop;
  const right = (g.outWidth - 1) * g.strideWidth + g.filterWidth - g.inWidth - g.padLeft;

  const scratch = new KernelScratch(args.backend as BackendWasm);
  try {
    const xT = scratch.transpose(x, [3, 1, 2, 0]);
    const dyT = scratch.transpose(dy, [1, 2, 0, 3]);
    const corr = scratch.conv2d(xT, dyT, [g.strideHeight, g.strideWidth], [
      [0, 0],
      [g.padTop, Math.max(0, bottom)],
      [g.padLeft, Math.max(0, right)],
      [0, 0],
    ]);
    const [, corrH, corrW] = corr.shape;
    const cropped =
      corrH === g.filterHeight && corrW === g.filterWidth
        ? corr
        : scratch.slice(corr, [0, 0, 0, 0], [g.inChannels, g.filterHeight, g.filterWidth, g.outChannels]);
    return scratch.release(scratch.transpose(cropped, [1, 2, 0, 3]));
  } catch (error) {
    scratch.releaseAll();
    throw error;
  }
}
