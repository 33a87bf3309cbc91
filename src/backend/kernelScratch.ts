import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Info = tf.TensorInfo;
export type Padding4D = [[number, number], [number, number], [number, number], [number, number]];

/**
 * Runs other wasm kernels on raw TensorInfos from inside one of our kernels and owns every
 * intermediate it makes. Working below the engine keeps intermediates off the tape and out of
 * `tf.memory()`, and the kernel's own inputs are never owned, so they are never freed (the
 * engine-level alternative, `makeTensorFromTensorInfo` on an input, frees the caller's data on
 * dispose unless the input is incRef'd first).
 */
export class KernelScratch {
  private readonly owned: Info[] = [];

  constructor(private readonly backend: BackendWasm) {}

  private run(kernelName: string, inputs: Record<string, Info>, attrs: Record<string, unknown>): Info {
    const config = tf.getKernel(kernelName, 'wasm');
    if (config === undefined) {
      throw new Error(`stalelab wasm conv kernels need the wasm kernel '${kernelName}', which is not registered (is @tensorflow/tfjs-backend-wasm imported?)`);
    }
    const out = config.kernelFunc({ inputs, backend: this.backend, attrs: attrs as tf.NamedAttrMap });
    if (Array.isArray(out)) throw new Error(`wasm kernel '${kernelName}' returned ${out.length} outputs, expected one`);
    this.owned.push(out);
    return out;
  }

  transpose(x: Info, perm: number[]): Info {
    return this.run(tf.Transpose, { x }, { perm });
  }

  reshape(x: Info, shape: number[]): Info {
    return this.run(tf.Reshape, { x }, { shape });
  }

  pad(x: Info, paddings: Array<[number, number]>): Info {
    return this.run(tf.PadV2, { x }, { paddings, constantValue: 0 });
  }

  slice(x: Info, begin: number[], size: number[]): Info {
    return this.run(tf.Slice, { x }, { begin, size });
  }

  reverse(x: Info, dims: number[]): Info {
    return this.run(tf.Reverse, { x }, { dims });
  }

  /** NHWC conv2d (XNNPACK) with explicit padding. */
  conv2d(x: Info, filter: Info, dilations: [number, number], pad: Padding4D): Info {
    return this.run(tf.Conv2D, { x, filter }, { strides: [1, 1], dilations, pad, dataFormat: 'NHWC', dimRoundingMode: undefined });
  }

  /** Frees every intermediate except `result`, which the caller hands to the engine. */
  release(result: Info): Info {
    for (const info of this.owned) if (info !== result) this.backend.disposeData(info.dataId);
    this.owned.length = 0;
    return result;
  }

  /** Frees every intermediate (on an error path). */
  releaseAll(): void {
    for (const info of this.owned) this.backend.disposeData(info.dataId);
    this.owned.length = 0;
  }
}
