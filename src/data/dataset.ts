/**
 * A dataset held in memory as flat float32 features and int32 labels, split into train and test.
 * Images are stored NHWC (height, width, channels) so they feed tf.conv2d directly.
 */
export interface Split {
  /** size × prod(inputShape) features, row-major. */
  readonly x: Float32Array;
  /** Class index per example (classification) or target value per example (regression). */
  readonly y: Int32Array | Float32Array;
  readonly size: number;
}

export type Task = 'classification' | 'regression';

export interface Dataset {
  readonly name: string;
  readonly task: Task;
  /** Shape of one example, e.g. [28, 28, 1] for MNIST, [2] for a 2-D mixture. */
  readonly inputShape: readonly number[];
  /** Number of classes (1 for regression). */
  readonly numClasses: number;
  readonly train: Split;
  readonly test: Split;
  /**
   * Set only when the files held fewer records than the dataset has and its spec said
   * `allowPartial: true`; `missing` then says what was short, one entry per file.
   */
  readonly partial?: true;
  readonly missing?: readonly string[];
}

export const SPLIT_NAMES = ['train', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/** One minibatch: a copy of the rows, plus its position in the stream so objectives can seed noise. */
export interface Batch {
  readonly x: Float32Array;
  readonly y: Int32Array | Float32Array;
  readonly size: number;
  /** 0, 1, 2, … in the order this source produced batches. */
  readonly index: number;
  /** Samples consumed from the source before this batch (for epoch accounting). */
  readonly samplesBefore: number;
}

/**
 * The seeded training minibatches of a run (reshuffled every epoch), addressable by index so that
 * a worker thread or another process computes the same batch k.
 */
export interface BatchSource {
  /**
   * Batch number k (0, 1, 2, …). `reuse`: a batch of this source the caller is done with; its
   * arrays are overwritten and shared by the batch returned (no allocation per batch).
   */
  at(index: number, reuse?: Batch): Batch;
  /** The batches in order from 0: at(0), at(1), … (one cursor per source). */
  next(): Batch;
}
