import * as tf from '@tensorflow/tfjs';
import type { GradientOracle } from '../src/oracle/oracle.ts';

const size = (shape: readonly number[] | undefined): number => (shape ?? []).reduce((a, b) => a * b, 1);

/**
 * FLOPs (2 per multiply-add) of one profiled kernel, for the kernels that do the arithmetic of a
 * dense or convolutional step; 0 for everything else (element-wise ops, pooling, copies).
 */
export function kernelFlops(name: string, inputShapes: number[][], outputShapes: number[][]): number {
  const out = outputShapes[0] ?? [];
  switch (name) {
    case 'BatchMatMul':
    case '_FusedMatMul': {
      // out [...batch, m, n]; the inner size k follows from a's size: |a| = batchA·m·k.
      const a = inputShapes[0];
      const [m, n] = out.slice(-2);
      const k = size(a) / (size(a.slice(0, -2)) * m);
      return 2 * size(out.slice(0, -2)) * m * n * k;
    }
    case 'Conv2D':
    case 'FusedConv2D': {
      const filter = inputShapes[1]; // [kh, kw, ci, co]
      return (2 * size(out) * size(filter)) / filter[3];
    }
    case 'Conv2DBackpropInput': {
      const [dy, filter] = inputShapes; // dx = dy ⋆ filter
      return (2 * size(dy) * size(filter)) / filter[3];
    }
    case 'Conv2DBackpropFilter': {
      const dy = inputShapes[1]; // dW [kh, kw, ci, co]
      return (2 * size(dy) * size(out)) / out[3];
    }
    default:
      return 0;
  }
}

export interface StepProfile {
  /** Matmul/conv FLOPs of one gradient (the kernels tfjs actually runs, e.g. no dx of the input). */
  flops: number;
  /** Kernel time per kernel name, largest first (ms). */
  byKernel: Array<{ kernel: string; ms: number }>;
  kernelMs: number;
}

/**
 * Profiles gradient calls of the oracle (after `warmup` unprofiled ones, so that kernels and our
 * JavaScript kernels are compiled): FLOPs of one call and mean kernel time per kernel name.
 */
export async function profileStep(oracle: GradientOracle, theta: Float32Array, batchSize: number, warmup = 5, profiled = 3): Promise<StepProfile> {
  const batches = oracle.batches(batchSize, 9);
  for (let i = 0; i < warmup; i++) await oracle.gradient(theta, batches.next());
  let flops = 0;
  const ms = new Map<string, number>();
  for (let r = 0; r < profiled; r++) {
    const info = await tf.profile(async () => {
      await oracle.gradient(theta, batches.next());
    });
    let callFlops = 0;
    for (const k of info.kernels) {
      callFlops += kernelFlops(k.name, k.inputShapes as number[][], k.outputShapes as number[][]);
      const t = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      ms.set(k.name, (ms.get(k.name) ?? 0) + t / profiled);
    }
    flops = callFlops;
  }
  const byKernel = [...ms].map(([kernel, t]) => ({ kernel, ms: t })).sort((a, b) => b.ms - a.ms);
  return { flops, byKernel, kernelMs: byKernel.reduce((a, k) => a + k.ms, 0) };
}
