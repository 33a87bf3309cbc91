import * as tf from '@tensorflow/tfjs';
import { batchNorm } from './batchNorm.ts';
import { conv, dense } from './layerOps.ts';
import type { InitSpec, Model } from './model.ts';
import { ParamTable } from './paramTable.ts';

export interface CifarResNetOptions {
  /** 20, 32, 56, …: 6n + 2. */
  depth: number;
  /** Initialisation of every conv and dense kernel (He et al. use he-normal). */
  init: InitSpec;
}

const STAGE_CHANNELS = [16, 32, 64];

/**
 * x[:, ::2, ::2, :] with ops that all have gradients in tfjs (StridedSlice has none):
 * [N, H, W, C] → [N·H/2, 2, W/2, 2C] puts row parity on axis 1 and column parity in the
 * upper half of the channel axis; keep parity 0 of both.
 */
function subsample2(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const rows = (n * h) / 2;
  return x
    .reshape([rows, 2, w / 2, 2 * c])
    .slice([0, 0, 0, 0], [rows, 1, w / 2, c])
    .reshape([n, h / 2, w / 2, c]);
}

/**
 * The CIFAR ResNet of He et al. (2016, §4.2): conv 3×3@16 → BN → relu, three stages of n basic
 * blocks (16, 32, 64 channels; the 2nd and 3rd stages start with stride 2), global average pool,
 * dense to classes; depth = 6n + 2. Basic block: conv3×3 → BN → relu → conv3×3 → BN, plus the
 * shortcut, then relu. Shortcuts are option A (parameter-free): identity, or where the shape
 * changes, the input subsampled by 2 and zero-padded with (C_out − C_in)/2 channels on each side.
 * Convs carry no bias (BN follows) and pad 1 on each side, as the PyTorch reference does.
 */
export function buildCifarResNet(inputShape: readonly number[], outputSize: number, options: CifarResNetOptions): Model {
  const { depth } = options;
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) {
    throw new RangeError(`resnet: depth must be 6n + 2 with n ≥ 1 (20, 32, 56, …), got ${depth}`);
  }
  if (inputShape.length !== 3 || inputShape[0] % 4 !== 0 || inputShape[1] % 4 !== 0) {
    throw new RangeError(
      `resnet${depth}: needs image inputs [height, width, channels] with height and width divisible by 4, got [${inputShape.join(', ')}]`,
    );
  }
  const blocksPerStage = (depth - 2) / 6;
  const table = new ParamTable();
  const bnLayer = (name: string, channels: number) => ({
    gamma: table.add(`${name}/gamma`, [channels], 'ones'),
    beta: table.add(`${name}/beta`, [channels], 'zeros'),
    mean: table.addState(`${name}/running_mean`, [channels], 'zeros'),
    variance: table.addState(`${name}/running_var`, [channels], 'ones'),
  });
  const stem = { k: table.add('conv0/kernel', [3, 3, inputShape[2], 16], options.init), bn: bnLayer('bn0', 16) };
  let channels = 16;
  const blocks = STAGE_CHANNELS.flatMap((out, s) =>
    Array.from({ length: blocksPerStage }, (_, b) => {
      const name = `stage${s + 1}/block${b + 1}`;
      const block = {
        stride: s > 0 && b === 0 ? 2 : 1,
        inChannels: channels,
        outChannels: out,
        k1: table.add(`${name}/conv1/kernel`, [3, 3, channels, out], options.init),
        bn1: bnLayer(`${name}/bn1`, out),
        k2: table.add(`${name}/conv2/kernel`, [3, 3, out, out], options.init),
        bn2: bnLayer(`${name}/bn2`, out),
      };
      channels = out;
      return block;
    }),
  );
  const head = {
    w: table.add('dense/kernel', [channels, outputSize], options.init),
    b: table.add('dense/bias', [outputSize], 'zeros'),
  };
  return {
    name: `resnet${depth}`,
    description: `resnet${depth}(${inputShape.join('x')}-${outputSize})`,
    inputShape: [...inputShape],
    outputSize,
    paramSpecs: table.params,
    dim: table.dim,
    stateSpecs: table.states,
    stateDim: table.stateDim,
    forward(params, x, mode, state) {
      if (mode === 'eval' && (!state || state.length !== table.states.length)) {
        throw new Error(`resnet${depth}: eval mode needs ${table.states.length} running-statistics tensors`);
      }
      const batchStats: tf.Tensor[] = [];
      const bn = (y: tf.Tensor, layer: ReturnType<typeof bnLayer>): tf.Tensor => {
        const running = state ? ([state[layer.mean], state[layer.variance]] as const) : undefined;
        const out = batchNorm(y, params[layer.gamma], params[layer.beta], mode, running);
        // State specs were added as mean, variance per layer in order, so pushing keeps that order.
        if (out.stats) batchStats.push(...out.stats);
        return out.y;
      };
      let h = tf.relu(bn(conv(x, params[stem.k], 1, 1), stem.bn));
      for (const block of blocks) {
        let y = tf.relu(bn(conv(h, params[block.k1], block.stride, 1), block.bn1));
        y = bn(conv(y, params[block.k2], 1, 1), block.bn2);
        let shortcut = h;
        if (block.stride !== 1) shortcut = subsample2(shortcut as tf.Tensor4D);
        if (block.outChannels !== block.inChannels) {
          const p = (block.outChannels - block.inChannels) / 2;
          shortcut = tf.pad(shortcut, [[0, 0], [0, 0], [0, 0], [p, p]]);
        }
        h = tf.relu(tf.add(y, shortcut));
      }
      const pooled = tf.mean(h, [1, 2]);
      const logits = dense(pooled, params[head.w], params[head.b]);
      return mode === 'train' ? { logits, batchStats } : { logits };
    },
  };
}
