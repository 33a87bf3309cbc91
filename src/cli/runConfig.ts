import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/validate.ts';

/** The `stalelab run` flags after commander parsed them (absent = not given). */
export interface RunFlags {
  engine: 'sim' | 'threads';
  config?: string;
  model?: Record<string, unknown>;
  dataset?: Record<string, unknown>;
  objective?: Record<string, unknown>;
  trainSize?: number;
  testSize?: number;
  steps?: number;
  epochs?: number;
  seconds?: number;
  batchSize?: number;
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  seed?: number;
  backend?: string;
  rule?: Record<string, unknown>;
  workers?: number;
  timing?: string;
  gammaShape?: number;
  heterogeneity?: string;
  stepSize?: Record<string, unknown>;
  evalEvery?: number;
  evalSubset?: number;
  logEvery?: number;
  divergeLoss?: string;
  sync?: string;
  threads?: number;
  persistence?: number;
  target?: { metric: string; value: number };
  id?: string;
}

/** Flags that only one engine understands; giving one to the other engine is an error, not ignored. */
const SIM_ONLY = ['epochs', 'momentum', 'weightDecay', 'rule', 'workers', 'timing', 'gammaShape', 'heterogeneity', 'logEvery', 'divergeLoss'] as const;
const THREADS_ONLY = ['seconds', 'sync', 'threads', 'persistence', 'target', 'evalSubset'] as const;

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`--config: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`--config: ${path} is not valid JSON (${(e as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`--config: ${path} must hold a JSON object (a run config)`);
  return value as Record<string, unknown>;
}

/** `--model`/`--dataset` with `--train-size`/`--test-size` folded into the dataset spec. */
function problem(flags: RunFlags, base: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (flags.objective) out.objective = flags.objective;
  if (flags.model) out.model = flags.model;
  let dataset = flags.dataset ?? (base.dataset as Record<string, unknown> | undefined);
  if (flags.trainSize !== undefined || flags.testSize !== undefined) {
    if (!dataset) throw new ConfigError('--train-size/--test-size: give --dataset too');
    dataset = { ...dataset, ...(flags.trainSize !== undefined ? { trainSize: flags.trainSize } : {}), ...(flags.testSize !== undefined ? { testSize: flags.testSize } : {}) };
  }
  if (dataset && (flags.dataset || flags.trainSize !== undefined || flags.testSize !== undefined)) out.dataset = dataset;
  const hasProblem = (c: Record<string, unknown>) => c.objective !== undefined || c.model !== undefined || c.dataset !== undefined;
  if (!hasProblem({ ...base, ...out })) {
    throw new ConfigError('no problem to train: give --model and --dataset (e.g. --model mlp --dataset mnist) or --objective, or a --config file that has them');
  }
  return out;
}

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/**
 * The engine config a `stalelab run` command line stands for: the --config file (if any) with the
 * flags laid over it. Plain SGD is the simulated engine with one worker (staleness 0): rule "asgd",
 * or "momentum-asgd" when --momentum is given. Validation of values is left to the engine's schema,
 * which names the field and the allowed values.
 */
export function runConfigFromFlags(flags: RunFlags): Record<string, unknown> {
  const wrong = (flags.engine === 'sim' ? THREADS_ONLY : SIM_ONLY).filter((k) => flags[k] !== undefined);
  if (wrong.length) {
    const other = flags.engine === 'sim' ? 'threads' : 'sim';
    throw new ConfigError(`${wrong.map(flagName).join(', ')}: only for --engine ${other} (this run uses --engine ${flags.engine})`);
  }
  const base = flags.config ? readConfigFile(flags.config) : {};
  // A budget on the command line replaces the file's budget rather than adding a second one.
  if (flags.engine === 'sim' && (flags.steps !== undefined || flags.epochs !== undefined)) {
    delete base.steps;
    delete base.epochs;
  }
  const common = defined({
    id: flags.id,
    ...problem(flags, base),
    batchSize: flags.batchSize,
    seed: flags.seed,
    backend: flags.backend,
    stepSize: flags.stepSize,
    evalEvery: flags.evalEvery,
  });
  if (flags.engine === 'threads') {
    return {
      ...base,
      ...common,
      ...defined({
        sync: flags.sync ?? base.sync ?? 'hogwild',
        threads: flags.threads ?? base.threads ?? 2,
        persistence: flags.persistence,
        lr: flags.lr,
        updates: flags.steps,
        seconds: flags.seconds,
        evalSubset: flags.evalSubset,
        target: flags.target,
      }),
    };
  }
  const baseRuleParams = (base.ruleParams ?? {}) as Record<string, unknown>;
  const rule = flags.rule ? (Object.keys(flags.rule).length === 1 && 'rule' in flags.rule ? flags.rule.rule : flags.rule) : base.rule;
  const timing =
    flags.timing !== undefined || flags.gammaShape !== undefined || flags.heterogeneity !== undefined
      ? defined({
          ...((base.timing as Record<string, unknown>) ?? {}),
          kind: flags.timing ?? (base.timing as { kind?: string } | undefined)?.kind ?? 'gamma',
          shape: flags.gammaShape,
          heterogeneity: flags.heterogeneity,
        })
      : base.timing;
  const divergeLoss = flags.divergeLoss === undefined ? undefined : flags.divergeLoss === 'auto' || flags.divergeLoss === 'off' ? flags.divergeLoss : Number(flags.divergeLoss);
  return {
    ...base,
    ...common,
    ...defined({
      rule: rule ?? (flags.momentum !== undefined && flags.momentum > 0 ? 'momentum-asgd' : 'asgd'),
      workers: flags.workers ?? base.workers ?? 1,
      timing,
      steps: flags.steps,
      epochs: flags.epochs,
      logEvery: flags.logEvery,
      divergeLoss,
    }),
    ruleParams: defined({ ...baseRuleParams, lr: flags.lr ?? baseRuleParams.lr, momentum: flags.momentum ?? baseRuleParams.momentum, weightDecay: flags.weightDecay ?? baseRuleParams.weightDecay }),
  };
}
