import { ConfigError } from '../../config/validate.ts';
import { sizeOf, type Model } from '../../models/model.ts';
import type { ModelSpec } from '../../models/modelSpec.ts';

/** The zoo models the BLAS backend runs: dense networks and the LeNet family (no batch norm). */
export const BLAS_MODELS = ['logreg', 'mlp', 'lenet5', 'lenet-asap'] as const;

const KIND = { conv: 0, act: 1, maxpool: 2, dense: 3 } as const;
const ACT = { relu: 0, tanh: 1 } as const;
/** Ints per layer of the program net.c reads (see native/src/net.h). */
const STRIDE = 15;

interface LayerArgs {
  kind: number;
  inSize: number;
  outSize: number;
  h?: number;
  w?: number;
  ci?: number;
  ho?: number;
  wo?: number;
  co?: number;
  k?: number;
  padLo?: number;
  padHi?: number;
  act?: number;
  wOff?: number;
  bOff?: number;
}

/**
 * The layer program of a zoo model for net.c, following the zoo's own builders (src/models:
 * mlp.ts, logisticRegression.ts, convNet.ts with lenet5.ts / lenetAsap.ts) layer for layer, with
 * each kernel and bias at its offset in θ as the zoo laid it out. Throws ConfigError for a model
 * the backend does not run.
 */
export function netProgram(spec: ModelSpec, model: Model): Int32Array {
  const offsets = new Map<string, { off: number; shape: readonly number[] }>();
  let at = 0;
  for (const p of model.paramSpecs) {
    offsets.set(p.name, { off: at, shape: p.shape });
    at += sizeOf(p.shape);
  }
  const param = (name: string, shape: readonly number[]): number => {
    const p = offsets.get(name);
    if (!p || p.shape.join('x') !== shape.join('x')) {
      throw new Error(`blas backend: ${model.description} has no parameter ${name} of shape [${shape.join(', ')}] (the zoo and netProgram disagree)`);
    }
    return p.off;
  };
  const layers: LayerArgs[] = [];
  const dense = (inSize: number, outSize: number, name: string) =>
    layers.push({ kind: KIND.dense, inSize, outSize, co: outSize, wOff: param(`${name}/kernel`, [inSize, outSize]), bOff: param(`${name}/bias`, [outSize]) });
  const act = (size: number, a: 'relu' | 'tanh') => layers.push({ kind: KIND.act, inSize: size, outSize: size, act: ACT[a] });
  const head = (inSize: number, widths: readonly number[], activation: 'relu' | 'tanh', prefix: (i: number) => string) => {
    const sizes = [inSize, ...widths, model.outputSize];
    for (let i = 0; i + 1 < sizes.length; i++) {
      dense(sizes[i], sizes[i + 1], prefix(i));
      if (i + 2 < sizes.length) act(sizes[i + 1], activation);
    }
  };
  const inSize = sizeOf(model.inputShape);
  switch (spec.name) {
    case 'logreg':
      dense(inSize, model.outputSize, 'dense');
      break;
    case 'mlp':
      head(inSize, spec.widths, spec.activation, (i) => `dense${i + 1}`);
      break;
    case 'lenet5':
    case 'lenet-asap': {
      let [h, w, c] = model.inputShape;
      const firstPad = spec.name === 'lenet5' && Math.min(h, w) < 32 ? 'same' : 'valid';
      const stages = [{ filters: 6, pad: firstPad }, { filters: 16, pad: 'valid' }];
      stages.forEach((stage, i) => {
        const k = 5;
        const same = stage.pad === 'same';
        const ho = same ? h : h - k + 1;
        const wo = same ? w : w - k + 1;
        const pad = same ? (k - 1) >> 1 : 0;
        layers.push({
          kind: KIND.conv, inSize: h * w * c, outSize: ho * wo * stage.filters, h, w, ci: c, ho, wo, co: stage.filters, k, padLo: pad, padHi: same ? k - 1 - pad : 0,
          wOff: param(`conv${i + 1}/kernel`, [k, k, c, stage.filters]), bOff: param(`conv${i + 1}/bias`, [stage.filters]),
        });
        act(ho * wo * stage.filters, spec.activation);
        const hp = Math.floor(ho / 2);
        const wp = Math.floor(wo / 2);
        layers.push({ kind: KIND.maxpool, inSize: ho * wo * stage.filters, outSize: hp * wp * stage.filters, h: ho, w: wo, ci: stage.filters, ho: hp, wo: wp, co: stage.filters });
        [h, w, c] = [hp, wp, stage.filters];
      });
      head(h * w * c, spec.name === 'lenet5' ? [120, 84] : [120], spec.activation, (i) => `dense${i + 1}`);
      break;
    }
    default:
      throw new ConfigError(`backend "blas": runs ${BLAS_MODELS.join(', ')}; model "${spec.name}" needs a TensorFlow.js backend (wasm, webgpu, cpu)`);
  }
  if (at !== model.dim) throw new Error(`blas backend: parameter layout of ${model.description} does not add up`);
  const program = new Int32Array(1 + layers.length * STRIDE);
  program[0] = layers.length;
  layers.forEach((l, i) => {
    program.set([l.kind, l.inSize, l.outSize, l.h ?? 0, l.w ?? 0, l.ci ?? 0, l.ho ?? 0, l.wo ?? 0, l.co ?? 0, l.k ?? 0, l.padLo ?? 0, l.padHi ?? 0, l.act ?? 0, l.wOff ?? 0, l.bOff ?? 0], 1 + i * STRIDE);
  });
  return program;
}
