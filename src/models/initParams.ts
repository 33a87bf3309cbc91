import { makeRng, type Rng } from '../rng/rng.ts';
import { sizeOf, type InitSpec, type Model, type ParamSpec } from './model.ts';

function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  // Dense [in, out] or conv [kh, kw, ci, co]: the receptive field multiplies both fans.
  const receptive = sizeOf(shape.slice(0, -2));
  return { fanIn: receptive * shape[shape.length - 2], fanOut: receptive * shape[shape.length - 1] };
}

function fill(out: Float32Array, shape: readonly number[], init: InitSpec, rng: Rng): void {
  if (init === 'zeros') return;
  if (init === 'ones') {
    out.fill(1);
    return;
  }
  if (init === 'glorot-uniform') {
    const { fanIn, fanOut } = fans(shape);
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    for (let j = 0; j < out.length; j++) out[j] = (2 * rng.uniform() - 1) * limit;
    return;
  }
  const std = init === 'he-normal' ? Math.sqrt(2 / fans(shape).fanIn) : init.normal;
  for (let j = 0; j < out.length; j++) out[j] = std * rng.normal();
}

/**
 * Initial θ for `model`, drawn on the CPU from the seeded Rng (not from tfjs' random ops), so the
 * same seed gives bit-identical parameters on every backend. Each parameter tensor draws from its
 * own fork of the stream, so adding a layer does not change the others' values.
 */
export function initParams(model: Pick<Model, 'paramSpecs' | 'dim'>, seed: number): Float32Array {
  const rng = makeRng(seed);
  const theta = new Float32Array(model.dim);
  let offset = 0;
  model.paramSpecs.forEach((spec: ParamSpec, i) => {
    const size = sizeOf(spec.shape);
    fill(theta.subarray(offset, offset + size), spec.shape, spec.init, rng.fork(i));
    offset += size;
  });
  return theta;
}

/** Initial batch-norm running statistics (means 0, variances 1), laid out as `stateSpecs`. */
export function initState(model: Pick<Model, 'stateSpecs' | 'stateDim'>): Float32Array {
  const state = new Float32Array(model.stateDim);
  let offset = 0;
  for (const spec of model.stateSpecs) {
    const size = sizeOf(spec.shape);
    if (spec.init === 'ones') state.fill(1, offset, offset + size);
    offset += size;
  }
  return state;
}
