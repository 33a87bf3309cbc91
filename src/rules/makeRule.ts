import { registeredBase, registeredTransform } from './registry.ts';
import type { RuleSpec } from './ruleSpec.ts';
import type { BaseDef, InitEnv, StateAllocator, TransformContext, TransformDef } from './ruleTypes.ts';
import { loadRuleState, recordingAllocator, saveRuleState, type RuleParts, type RuleState } from './ruleState.ts';

/** What the engine knows about an update when it hands the gradient to the rule. */
export interface UpdateInfo {
  /** Staleness τ. */
  tau: number;
  /** The schedule's learning rate η for this update. */
  lr: number;
}

/** Per-update figures for the updates table. One object per rule, overwritten by every receive. */
export interface UpdateStats {
  /** ‖Δ‖₂/√D, Δ = (what a send would return now) − x_i (look-ahead points for DANA). */
  gapRmse: number;
  /** Mean and max over coordinates of the product of the transforms' divisors (1 for none). */
  penaltyMean: number;
  penaltyMax: number;
  /** Product of the transforms' step-size multipliers s(τ) (1 for none): the update used η·scale. */
  scale: number;
  /** Σ of the master's parameters after the step: finite iff all of them are. */
  checksum: number;
}

/**
 * A rule bound to its state: `send(i)` and `receive(i, g)` of ALGORITHMS.md §2. The state is plain
 * data (`state.base`, `state.transforms` in chain order) mutated in place; nothing else is hidden
 * in the closure except reusable scratch space.
 */
export interface Rule {
  readonly name: string;
  readonly spec: RuleSpec;
  readonly dim: number;
  readonly workers: number;
  readonly state: { base: object; transforms: unknown[] };
  /** Write x_i, the parameters worker i receives now, into `out`. */
  send(worker: number, lr: number, out: Float32Array): void;
  /** Apply worker i's gradient g, computed on `x` (what it was sent). Rewrites g in place: the transforms in order, then the base step. */
  receive(worker: number, x: Float32Array, g: Float32Array, info: UpdateInfo): UpdateStats;
  /** The master's parameters (θ; Θ for DANA-Slim). A live view: copy it to keep it. */
  master(): Float32Array;
  /** A copy of the whole state (every allocated array; user parts' plain fields), for a checkpoint. */
  saveState(): RuleState;
  /** Put a saved state back (same spec, D and N), so the next update is the one the saved rule would have made. */
  loadState(state: RuleState): void;
}

/** State in ordinary memory (one process). */
export const plainAllocator: StateAllocator = {
  floats: (n) => new Float32Array(n),
  doubles: (n) => new Float64Array(n),
  cells: (n) => new Int32Array(n),
};

/**
 * Bind a validated rule to its state, starting from θ0, for `workers` workers. The parts are
 * looked up in the registry now, so user definitions must be registered in this process first
 * (parsing a config does it; other threads call loadSpecModules).
 */
export function makeRule(spec: RuleSpec, theta0: Float32Array, workers: number, alloc: StateAllocator = plainAllocator): Rule {
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers: expected an integer ≥ 1, got ${workers}`);
  const lookup = <D>(found: { def: D } | undefined, kind: string, name: string): D => {
    if (!found) throw new RangeError(`rule ${spec.name}: ${kind} "${name}" is not registered in this process (register it, or give it as { module, export })`);
    return found.def;
  };
  const baseEntry = registeredBase(spec.base.name);
  const base = lookup(baseEntry, 'base', spec.base.name) as BaseDef<object, object>;
  const parts = spec.transforms.map((t) => {
    const found = registeredTransform(t.name);
    return { def: lookup(found, 'transform', t.name) as TransformDef<object, unknown>, params: t.params, builtin: found!.builtin };
  });
  const dim = theta0.length;
  // Every allocation is remembered: it is the state a checkpoint saves (the threads' shared-memory order is unchanged).
  const recorded = recordingAllocator(alloc);
  const env: InitEnv = { dim, workers, alloc: recorded.alloc };
  const baseState = base.init(theta0, spec.base.params, env);
  const master = base.master(baseState);
  if (!(master instanceof Float32Array) || master.length !== dim) {
    throw new RangeError(`rule ${spec.name}: base "${base.name}" master(state) must be a Float32Array of length ${dim} (a user base that does not send state.theta gives master, send and gap)`);
  }
  const states = parts.map((p) => p.def.init(p.params, env));
  const needsGap = parts.some((p) => p.def.needsGap);
  const gap = needsGap ? new Float32Array(dim) : null;
  const ctx = { worker: 0, tau: 0, lr: 0, x: theta0, master, gap, buffer: null as Float32Array | null };
  const stats: UpdateStats = { gapRmse: 0, penaltyMean: 1, penaltyMax: 1, scale: 1, checksum: 0 };
  // Without a transform that reads Δ, the gap statistic comes out of the step's own pass.
  const fused = !needsGap && base.stepWithGap !== undefined;
  const fusedGap = { gapSq: 0 };
  const saved: RuleParts = {
    name: spec.name,
    arrays: recorded.arrays,
    parts: [{ label: `base "${base.name}"`, state: baseState, builtin: baseEntry!.builtin }, ...parts.map((p, k) => ({ label: `transform ${k} "${p.def.name}"`, state: states[k], builtin: p.builtin }))],
  };

  return {
    name: spec.name,
    spec,
    dim,
    workers,
    state: { base: baseState, transforms: states },
    master: () => base.master(baseState),
    saveState: () => saveRuleState(saved),
    loadState: (s) => loadRuleState(saved, s),
    send(worker, lr, out) {
      base.send(baseState, worker, lr, out);
    },
    receive(worker, x, g, info) {
      if (g.length !== dim || x.length !== dim) throw new RangeError(`rule ${spec.name}: expected vectors of length ${dim}, got g ${g.length}, x ${x.length}`);
      if (!fused) stats.gapRmse = Math.sqrt(base.gap(baseState, x, info.lr, gap) / dim);
      ctx.worker = worker;
      ctx.tau = info.tau;
      ctx.lr = info.lr;
      ctx.x = x;
      ctx.master = base.master(baseState);
      ctx.buffer = base.buffer(baseState, worker);
      let mean = 1;
      let max = 1;
      let scale = 1;
      for (let k = 0; k < parts.length; k++) {
        const s = parts[k].def.apply(states[k], g, ctx as TransformContext, parts[k].params);
        if (!s) continue;
        // Exact when at most one transform varies by coordinate (GA is the only built-in that does).
        if (s.divisorMean !== undefined) mean *= s.divisorMean;
        if (s.divisorMax !== undefined) max *= s.divisorMax;
        if (s.scale !== undefined) scale *= s.scale;
      }
      stats.penaltyMean = mean;
      stats.penaltyMax = max;
      stats.scale = scale;
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
