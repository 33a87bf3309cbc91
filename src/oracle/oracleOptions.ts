import { z } from 'zod';

/**
 * Options of a model oracle a config may set (oracleOptions); weight decay belongs to the rule
 * (a weight-decay transform) and the evaluation subset is the config's evalSubset.
 */
export const oracleOptionsSchema = z
  .object({
    /** Rows per forward pass in `evaluate` (bounds memory, not the result). */
    evalBatchSize: z.number().int().min(1).default(1000),
    /** Batch-norm running statistics: state ← m·state + (1 − m)·batch. */
    bnMomentum: z.number().min(0).max(1).default(0.9),
  })
  .strict();
export type OracleOptions = z.output<typeof oracleOptionsSchema>;
