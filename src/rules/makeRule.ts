import { ConfigError, parseConfig } from '../config/validate.ts';
import type { BaseStep } from './baseStep.ts';
import type { Penalty, PenaltyContext } from './penalty.ts';
import { BASES, PENALTIES, type RuleComposition } from './registry.ts';
import { ruleParamsSchema, type ResolvedRuleParams, type RuleParamName, type RuleParamsInput } from './ruleParams.ts';
import { resolveRule, ruleSpecSchema, type RuleSpecInput } from './ruleSpec.ts';

/** What the engine knows about an update when it hands the gradient to the rule. */
export interface UpdateInfo {
  /** Staleness τ. */
  tau: number;
  /** The schedule's learning rate η for this update. */
  lr: number;
  /** Staleness-adaptive step size s(τ) (ALGORITHMS.md §3) on the fresh gradient term; 1 for none. */
  scale: number;
}

/** Per-update figures for the updates table. One object per rule, overwritten by every receive. */
export interface UpdateStats {
  /** ‖Δ‖₂/√D, Δ = (what a send would return now) − x_i (look-ahead points for DANA). */
  gapRmse: number;
  /** Mean and max over coordinates of the product of the penalties' divisors (1 for none). */
  penaltyMean: number;
  penaltyMax: number;
  /** Σ of the master's parameters after the step: finite iff all of them are. */
  checksum: number;
}

/**
 * A rule bound to its state: `send(i)` and `receive(i, g)` of ALGORITHMS.md §2. The state is plain
 * data (`state.base`, `state.penalties`) mutated in place; nothing else is hidden in the closure
 * except reusable scratch space.
 */
export interface Rule {
  readonly name: string;
  readonly composition: RuleComposition;
  readonly params: ResolvedRuleParams;
  /** The ruleParams fields this rule reads. */
  readonly usedParams: readonly RuleParamName[];
  readonly dim: number;
  readonly workers: number;
  readonly state: { base: object; penalties: Record<string, object> };
  /** Write x_i, the parameters worker i receives now, into `out`. */
  send(worker: number, lr: number, out: Float32Array): void;
  /**
   * Apply worker i's gradient g, computed on `x` (what it was sent). Rewrites g in place:
   * weight decay, then the penalties in order, then the step size s(τ), then the base step.
   */
  receive(worker: number, x: Float32Array, g: Float32Array, info: UpdateInfo): UpdateStats;
  /** The master's parameters (θ; Θ for DANA-Slim). A live view: copy it to keep it. */
  master(): Float32Array;
}

/** Validate ruleParams and fill in the rule's own defaults (e.g. dcAdaptive for dana-dc). */
export function resolveRuleParams(defaults: Partial<ResolvedRuleParams>, input: RuleParamsInput, where = 'ruleParams'): ResolvedRuleParams {
  const parsed = parseConfig(ruleParamsSchema, input, where);
  return { ...parsed, dcAdaptive: parsed.dcAdaptive ?? defaults.dcAdaptive ?? false };
}

/**
 * Build a rule from its spec (a registered name or a { base, penalties, sync } composition) and
 * parameters, starting from θ0, for `workers` workers. Throws ConfigError naming the bad field.
 */
export function makeRule(specInput: RuleSpecInput, paramsInput: RuleParamsInput, theta0: Float32Array, workers: number): Rule {
  const resolved = resolveRule(parseConfig(ruleSpecSchema, specInput, 'rule'));
  const params = resolveRuleParams(resolved.defaults, paramsInput);
  if (!Number.isInteger(workers) || workers < 1) throw new ConfigError(`workers: expected an integer ≥ 1, got ${workers}`);
  const dim = theta0.length;
  const base = BASES[resolved.base] as BaseStep<object>;
  const penalties = resolved.penalties.map((name) => [name, PENALTIES[name] as Penalty<object>] as const);
  const baseState = base.init(theta0, workers, params);
  const penaltyStates = Object.fromEntries(penalties.map(([name, p]) => [name, p.init(dim, params)]));
  const needsGap = penalties.some(([, p]) => p.needsGap);
  const gap = needsGap ? new Float32Array(dim) : null;
  const ctx: PenaltyContext = { tau: 0, lr: 0, gap, buffer: null };
  const stats: UpdateStats = { gapRmse: 0, penaltyMean: 1, penaltyMax: 1, checksum: 0 };
  // Without a penalty that reads Δ, the gap statistic comes out of the step's own pass.
  const fused = !needsGap && base.stepWithGap !== undefined;
  const fusedGap = { gapSq: 0 };
  const usedParams = [...new Set<RuleParamName>([
    ...base.params,
    ...penalties.flatMap(([, p]) => p.params),
    ...(params.weightDecay > 0 ? (['weightDecay', 'weightDecayAt'] as const) : (['weightDecay'] as const)),
  ])];

  return {
    name: resolved.name,
    composition: { base: resolved.base, penalties: resolved.penalties, sync: resolved.sync },
    params,
    usedParams,
    dim,
    workers,
    state: { base: baseState, penalties: penaltyStates },
    master: () => base.master(baseState),
    send(worker, lr, out) {
      base.send(baseState, worker, lr, out);
    },
    receive(worker, x, g, info) {
      if (g.length !== dim || x.length !== dim) throw new RangeError(`rule ${resolved.name}: expected vectors of length ${dim}, got g ${g.length}, x ${x.length}`);
      const wd = params.weightDecay;
      if (wd > 0) {
        const at = params.weightDecayAt === 'master' ? base.master(baseState) : x;
        for (let j = 0; j < dim; j++) g[j] += wd * at[j];
      }
      if (!fused) stats.gapRmse = Math.sqrt(base.gap(baseState, x, info.lr, gap) / dim);
      ctx.tau = info.tau;
      ctx.lr = info.lr;
      ctx.buffer = base.buffer(baseState, worker);
      let mean = 1;
      let max = 1;
      for (const [name, p] of penalties) {
        const s = p.apply(penaltyStates[name], g, ctx);
        // Exact when at most one penalty varies by coordinate (GA is the only one that does).
        mean *= s.mean;
        max *= s.max;
      }
      stats.penaltyMean = mean;
      stats.penaltyMax = max;
      if (info.scale !== 1) {
        const s = info.scale;
        for (let j = 0; j < dim; j++) g[j] *= s;
      }
      if (fused) {
        stats.checksum = base.stepWithGap!(baseState, worker, g, info.lr, x, fusedGap);
        stats.gapRmse = Math.sqrt(fusedGap.gapSq / dim);
      } else {
        stats.checksum = base.step(baseState, worker, g, info.lr);
      }
      return stats;
    },
  };
}
