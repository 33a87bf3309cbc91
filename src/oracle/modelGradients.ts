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
 * split), and losses, gradients and batch-norm statistics come back in a single read (on wasm,
 * one per term). K = 1 is the ordinary one-gradient call. Batch norm needs nothing special: each term normalises with
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
  const owned: tf.Tensor[] = [];
  try {
    const terms = tf.tidy(() => {
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
      const perStats = model.stateSpecs.length;
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
      // Per term one vector: loss, gradient, batch-norm statistics.
      const packed = losses.map((loss, t) =>
        tf.concat([loss.reshape([1]), flatten(grads.slice(t * perTerm, (t + 1) * perTerm)), flatten(stats.slice(t * perStats, (t + 1) * perStats))]),
      );
      tf.dispose(losses);
      // wasm reads are cheap copies out of its heap: read each term and skip one big concat (a
      // copy of K × D floats). Elsewhere a read is a device round trip: one read for all terms.
      return tf.getBackend() === 'wasm' || packed.length === 1 ? packed : [tf.concat(packed)];
    });
    owned.push(...terms);
    const stride = 1 + model.dim + model.stateDim;
    const results: GradientResult[] = [];
    for (const term of terms) {
      const values = (await term.data()) as Float32Array;
      for (let at = 0; at < values.length; at += stride) {
        // Views of an array read back, which nothing else holds: no second copy of g.
        const result: GradientResult = { loss: values[at], g: values.subarray(at + 1, at + 1 + model.dim) };
        if (model.stateDim > 0) result.stats = values.subarray(at + 1 + model.dim, at + stride);
        results.push(result);
      }
    }
    if (results.length !== k) throw new Error(`modelGradients: read ${results.length} results for ${k} terms`);
    return results;
  } finally {
    tf.dispose(owned);
    for (const t of stats) t.dispose();
    stats = [];
  }
}

function prefixOffsets(sizes: readonly number[]): number[] {
  const out = [0];
  for (const s of sizes) out.push(out[out.length - 1] + s);
  return out;
}
