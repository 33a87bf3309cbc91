import * as tf from '@tensorflow/tfjs';
import type { Batch, Task } from '../data/dataset.ts';
import { flatten } from '../models/flatTensors.ts';
import { sizeOf, type Model } from '../models/model.ts';
import { perExampleLoss, targetTensor } from './modelLoss.ts';
import type { GradientResult } from './oracle.ts';

/**
 * Minibatch losses and gradients of K parameter vectors, each on its own batch, in one pass:
 * one differentiated function whose value is Σ_k loss_k(θ_k), so its gradient with respect to
 * θ_k is exactly ∇loss_k(θ_k) (the sum passes dy = 1 to each term unchanged: the same float
 * operations as K separate calls). Each θ_k is uploaded as one tensor per parameter (no on-device
 * split), and losses, gradients and batch-norm statistics come back in a single read. K = 1 is
 * the ordinary one-gradient call. Batch norm needs nothing special: each term normalises with
 * its own batch and returns its own statistics.
 */
export async function modelGradients(
  model: Model,
  task: Task,
  inputShape: readonly number[],
  thetas: readonly Float32Array[],
  batches: readonly Batch[],
): Promise<GradientResult[]> {
  const k = thetas.length;
  const paramShapes = model.paramSpecs.map((p) => p.shape);
  const offsets = prefixOffsets(paramShapes.map(sizeOf));
  let stats: tf.Tensor[] = [];
  let packed: tf.Tensor | undefined;
  try {
    packed = tf.tidy(() => {
      const params: tf.Tensor[] = [];
      // θ is read once, when the call starts, even if the caller's array changes later: wasm
      // copies it into its heap at once; other backends may keep a reference, so they get a copy.
      const copies = tf.getBackend() !== 'wasm';
      for (const theta of thetas) {
        const copy = copies ? theta.slice() : theta;
        paramShapes.forEach((shape, j) => params.push(tf.tensor(copy.subarray(offsets[j], offsets[j + 1]), [...shape])));
      }
      const inputs = batches.map((b) => ({ x: tf.tensor(b.x, [b.size, ...inputShape]), target: targetTensor(b.y, task) }));
      const losses: tf.Tensor[] = [];
      const perTerm = paramShapes.length;
      const { grads } = tf.valueAndGrads((...ps: tf.Tensor[]) => {
        const terms = inputs.map(({ x, target }, t) => {
          const out = model.forward(ps.slice(t * perTerm, (t + 1) * perTerm), x, 'train');
          // Kept: tfjs disposes everything made inside the differentiated function except its result.
          stats.push(...(out.batchStats ?? []).map((s) => tf.keep(s)));
          const loss = tf.mean(perExampleLoss(out.logits, target, task));
          losses.push(tf.keep(loss));
          return loss;
        });
        return terms.length === 1 ? terms[0] : tf.addN(terms);
      })(params);
      // Layout of the one read: K losses, then per term its gradient and its statistics.
      const pieces: tf.Tensor[] = [tf.stack(losses)];
      for (let t = 0; t < k; t++) {
        pieces.push(flatten(grads.slice(t * perTerm, (t + 1) * perTerm)));
        const perStats = model.stateSpecs.length;
        if (perStats > 0) pieces.push(flatten(stats.slice(t * perStats, (t + 1) * perStats)));
      }
      tf.dispose(losses);
      return tf.concat(pieces.map((p) => p.reshape([-1])));
    });
    const values = (await packed.data()) as Float32Array;
    const results: GradientResult[] = [];
    let at = k;
    for (let t = 0; t < k; t++) {
      // Views of the one array read back, which nothing else holds: no second copy of g.
      const result: GradientResult = { loss: values[t], g: values.subarray(at, at + model.dim) };
      at += model.dim;
      if (model.stateDim > 0) {
        result.stats = values.subarray(at, at + model.stateDim);
        at += model.stateDim;
      }
      results.push(result);
    }
    return results;
  } finally {
    packed?.dispose();
    for (const t of stats) t.dispose();
    stats = [];
  }
}

function prefixOffsets(sizes: readonly number[]): number[] {
  const out = [0];
  for (const s of sizes) out.push(out[out.length - 1] + s);
  return out;
}
