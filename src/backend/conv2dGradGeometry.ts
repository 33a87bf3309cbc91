import * as tf from '@tensorflow/tfjs';

/** Attributes shared by tfjs's Conv2DBackpropFilter and Conv2DBackpropInput kernels. */
export interface Conv2DGradAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  /** Not part of tfjs's gradient kernels' attributes; checked in case a caller passes it. */
  dilations?: [number, number] | number;
}

/** Sizes of a forward NHWC conv2d y = conv2d(x, w), as its two gradient kernels need them. */
export interface Conv2DGradGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
}

function allOnes(v: [number, number] | number | undefined): boolean {
  if (v === undefined) return true;
  return typeof v === 'number' ? v === 1 : v.every((d) => d === 1);
}

/**
 * Geometry of the forward convolution behind a gradient kernel, via tfjs's own
 * computeConv2DInfo so that 'same'/'valid'/explicit padding and rounding match the forward op
 * exactly. Throws for what the stalelab kernels do not implement instead of returning garbage.
 */
export function conv2dGradGeometry(
  kernelName: string,
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: Conv2DGradAttrs,
): Conv2DGradGeometry {
  const where = `${kernelName} (stalelab wasm kernel)`;
  if (attrs.dataFormat !== 'NHWC') {
    throw new Error(`${where}: dataFormat '${String(attrs.dataFormat)}' is not supported; only 'NHWC' (channels last) is`);
  }
  if (!allOnes(attrs.dilations)) {
    throw new Error(`${where}: dilations ${JSON.stringify(attrs.dilations)} are not supported; only dilation 1 is`);
  }
  if (xShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`${where}: expected a 4-D input shape and a 4-D filter shape, got [${xShape}] and [${filterShape}]`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padBottom: info.padInfo.bottom,
    padLeft: info.padInfo.left,
    padRight: info.padInfo.right,
  };
}

/** Throws unless `dy` has the forward output's shape [N, Ho, Wo, Co]. */
export function assertDyShape(kernelName: string, dyShape: readonly number[], g: Conv2DGradGeometry): void {
  const expected = [g.batch, g.outHeight, g.outWidth, g.outChannels];
  if (dyShape.length !== 4 || dyShape.some((d, i) => d !== expected[i])) {
    throw new Error(`${kernelName} (stalelab wasm kernel): dy has shape [${dyShape}], but the forward convolution's output is [${expected}]`);
  }
}
