import type { RuleState } from '../../rules/ruleState.ts';
import type { EvalLogSnapshot } from '../../run/evalLog.ts';
import type { UpdateLogSnapshot } from '../../run/updateLog.ts';

/** A worker's job in flight at a checkpoint: what it was sent, on which minibatch, at which version. */
export interface SimJob {
  x: Float32Array;
  batch: number;
  sentAt: number;
}

/** Where the master loop is at an update boundary: what the loop itself keeps besides the context. */
export interface SimLoopState {
  step: number;
  samples: number;
  simTime: number;
  /** Minibatches drawn so far: the next job gets batch `nextBatch` of the run's batch stream. */
  nextBatch: number;
  /** Async: every worker's job in flight (null for SSGD, which has none between rounds). */
  jobs: SimJob[] | null;
}

/**
 * The simulator's whole state after an update (ALGORITHMS.md §1): the loop's position, the rule's
 * state (θ and every buffer), batch-norm statistics, the divergence bound, the rows so far and the
 * gradient counters. The timing model's random streams are not stored: the arrival order and
 * times do not depend on gradients, so resuming replays its first `step` draws (microseconds per
 * update); no gradient of a finished update is computed again.
 */
export interface SimState extends SimLoopState {
  rule: RuleState;
  oracleState: Float32Array;
  divergeBound: number;
  updates: UpdateLogSnapshot;
  evals: EvalLogSnapshot;
  trajectory: Float32Array[] | null;
  gradientPasses: number;
  gradientsComputed: number;
}
