import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Info = tf.TensorInfo;
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/**
 * tfjs-backend-wasm's BatchMatMul is fast (XNNPACK, ≈30 GFLOP/s on one core) only for one
 * untransposed product; with transposeA or transposeB, or a batch of products, it runs a plain
 * loop ≈10× slower. Backprop through `matMul` asks for exactly those (dW = xᵀ·dy, dx = dy·Wᵀ),
 * so they dominated a wasm MLP step (22 of 36 ms). This kernel transposes operands explicitly
 * (a memory copy), and runs a batch as one fast product per element, written straight into the
 * output on the wasm heap.
 */
export function makeBatchMatMulWasm(native: tf.KernelFunc): tf.KernelFunc {
  return ((args: KernelArgs): Info => {
    const backend = args.backend as BackendWasm;
    const { a, b } = args.inputs as { a: Info; b: Info };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const aBatch = a.shape.slice(0, -2);
    const bBatch = b.shape.slice(0, -2);
    const aCount = sizeOf(aBatch);
    const bCount = sizeOf(bBatch);
    const outBatch = broadcastBatch(aBatch, bBatch);
    // Broadcasts other than "same batch" or "one side unbatched" stay with the native kernel.
    const simpleBatch = outBatch !== null && (aCount === bCount || aCount === 1 || bCount === 1);
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || !simpleBatch || (!transposeA && !transposeB && aCount === 1 && bCount === 1)) {
      return native(args as Parameters<tf.KernelFunc>[0]) as Info;
    }
    const kept: Info[] = [];
    const scratch: Info[] = [];
    try {
      const swapLast = (x: Info): Info => {
        const rank = x.shape.length;
        const t = run(tf.Transpose, backend, { x }, { perm: [...Array(rank - 2).keys(), rank - 1, rank - 2] });
        kept.push(t);
        return t;
      };
      const a2 = transposeA ? swapLast(a) : a;
      const b2 = transposeB ? swapLast(b) : b;
      const [m, k] = a2.shape.slice(-2);
      const n = b2.shape[b2.shape.length - 1];
      const count = Math.max(aCount, bCount);
      const outShape = [...outBatch!, m, n];
      if (count === 1) {
        // One product (transposed operands): its output, reshaped, is the result; no copy.
        const single = product(native, backend, reshape(backend, a2, [m, k], scratch), reshape(backend, b2, [k, n], scratch), scratch);
        return run(tf.Reshape, backend, { x: single }, { shape: outShape });
      }
      const result = backend.makeOutput(outShape, 'float32');
      try {
        for (let i = 0; i < count; i++) {
          const ai = aCount === 1 ? reshape(backend, a2, [m, k], scratch) : piece(backend, a2, i, [m, k], scratch);
          const bi = bCount === 1 ? reshape(backend, b2, [k, n], scratch) : piece(backend, b2, i, [k, n], scratch);
          const ci = product(native, backend, ai, bi, scratch);
          // Views are taken after every allocation: growing the wasm memory detaches older ones.
          backend.typedArrayFromHeap(result).set(backend.typedArrayFromHeap(ci), i * m * n);
          for (const info of scratch.splice(0)) backend.disposeData(info.dataId);
        }
      } catch (error) {
        backend.disposeData(result.dataId);
        throw error;
      }
      return result;
    } finally {
      for (const info of [...kept, ...scratch]) backend.disposeData(info.dataId);
    }
  }) as tf.KernelFunc;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

function broadcastBatch(a: number[], b: number[]): number[] | null {
  try {
    return tf.backend_util.assertAndGetBroadcastShape(a, b);
  } catch {
    return null;
  }
}

function run(kernelName: string, backend: BackendWasm, inputs: Record<string, Info>, attrs: Record<string, unknown>): Info {
  const config = tf.getKernel(kernelName, 'wasm');
  if (config === undefined) throw new Error(`stalelab wasm BatchMatMul needs the wasm kernel '${kernelName}', which is not registered`);
  return config.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as Info;
}

function reshape(backend: BackendWasm, x: Info, shape: number[], owned: Info[]): Info {
  const out = run(tf.Reshape, backend, { x }, { shape });
  owned.push(out);
  return out;
}

/** Element `i` of a batch of matrices, copied into its own tensor. */
function piece(backend: BackendWasm, x: Info, i: number, shape: [number, number], owned: Info[]): Info {
  const size = shape[0] * shape[1];
  const out = backend.makeOutput(shape, 'float32');
  owned.push(out);
  backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(x).subarray(i * size, (i + 1) * size));
  return out;
}

function product(native: tf.KernelFunc, backend: BackendWasm, a: Info, b: Info, owned: Info[]): Info {
  const out = native({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } as unknown as tf.NamedAttrMap }) as Info;
  owned.push(out);
  return out;
}
