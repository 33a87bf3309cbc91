import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/validate.ts';
import { configFormatOf, parseConfigText } from '../config/configText.ts';
import { loadRuleModules } from '../rules/moduleDefinitions.ts';
import { resolveRuleInput } from '../rules/ruleSpec.ts';
import { engineFields, engineOf } from '../run/parseRunConfig.ts';

/** The `stalelab run` flags after commander parsed them (absent = not given). */
export interface RunFlags {
  engine?: string;
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
  threads?: number;
  preset?: string;
  timing?: string;
  gammaShape?: number;
  heterogeneity?: string;
  stepSize?: Record<string, unknown>;
  evalEvery?: number;
  evalSubset?: number;
  evalSplits?: string[];
  logEvery?: number;
  divergeLoss?: string;
  sync?: string;
  persistence?: number;
  target?: { metric: string; value: number };
  id?: string;
  listen?: string;
  port?: number;
  localWorkers?: number;
  delay?: Record<string, unknown>;
  straggler?: Record<string, unknown>;
  checkpointEvery?: number;
}

/** The config field each engine-specific flag sets: giving it to an engine without that field is an error, not ignored. */
const ENGINE_FLAG_FIELDS: Partial<Record<keyof RunFlags, string>> = {
  preset: 'preset',
  timing: 'timing',
  gammaShape: 'timing',
  heterogeneity: 'timing',
  sync: 'sync',
  persistence: 'persistence',
  seconds: 'seconds',
  threads: 'sync',
  listen: 'listen',
  port: 'port',
  localWorkers: 'localWorkers',
  delay: 'delay',
  straggler: 'straggler',
  checkpointEvery: 'checkpointEvery',
};

export const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`--config: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let value: unknown;
  try {
    value = parseConfigText(text, path);
  } catch (e) {
    throw new ConfigError(`--config: ${path} is not valid ${configFormatOf(path)} (${(e as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`--config: ${path} must hold a ${configFormatOf(path) === 'YAML' ? 'YAML mapping' : 'JSON object'} (a run config)`);
  return value as Record<string, unknown>;
}

/** `--model`/`--dataset` with `--train-size`/`--test-size` folded into the dataset spec. */
function problem(flags: RunFlags, base: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (flags.objective) out.objective = flags.objective;
  if (flags.model) out.model = flags.model;
  const given = base.dataset;
  let dataset = flags.dataset ?? (typeof given === 'string' ? { name: given } : (given as Record<string, unknown> | undefined));
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
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The rule the flags ask for: --rule (or the file's rule; default asgd, or momentum-asgd with
 * --momentum), with --momentum and --weight-decay as the rule's own parameters and --step-size
 * as a staleness-step transform at the end of its chain.
 */
async function ruleFromFlags(flags: RunFlags, base: Record<string, unknown>): Promise<unknown> {
  const given = flags.rule ? (Object.keys(flags.rule).length === 1 && 'rule' in flags.rule ? flags.rule.rule : flags.rule) : base.rule;
  let rule: unknown = given ?? (flags.momentum !== undefined && flags.momentum > 0 ? 'momentum-asgd' : 'asgd');
  const kwargs = defined({ momentum: flags.momentum, weightDecay: flags.weightDecay });
  if (Object.keys(kwargs).length > 0) {
    if (typeof rule === 'string') rule = { name: rule, ...kwargs };
    else if (isObject(rule) && !('base' in rule)) rule = { ...rule, ...kwargs };
    else if (isObject(rule)) {
      const b = rule.base;
      const withMomentum = flags.momentum === undefined ? b : typeof b === 'string' ? { name: b, momentum: flags.momentum } : { ...(b as object), momentum: flags.momentum };
      const transforms = Array.isArray(rule.transforms) ? rule.transforms : [];
      rule = { ...rule, base: withMomentum, transforms: flags.weightDecay === undefined ? transforms : [{ name: 'weight-decay', weightDecay: flags.weightDecay }, ...transforms] };
    }
  }
  if (!flags.stepSize) return rule;
  // A staleness step size goes last in the chain: the named rule is written out as its parts.
  const loaded = await loadRuleModules(rule, '--rule');
  const r = resolveRuleInput(loaded);
  if (!r.ok) return rule;
  const { base: b, transforms, sync } = r.spec;
  const part = (p: { name: string; params: Record<string, unknown> }) => ({ name: p.name, ...p.params });
  return { base: part(b), transforms: [...transforms.map(part), { name: 'staleness-step', ...flags.stepSize }], ...(sync ? { sync } : {}) };
}

/**
 * The run config a `stalelab run` command line stands for: the --config file (a run config, or a
 * saved run.json's config) with the flags laid over it. Plain SGD is the simulated engine with one
 * worker (staleness 0): rule "asgd", or "momentum-asgd" when --momentum is given. Values are
 * validated by the engine's schema, which names the field and the allowed values.
 */
export async function runConfigFromFlags(flags: RunFlags, saved?: Record<string, unknown>): Promise<Record<string, unknown>> {
  // `saved`: a checkpoint's config (--resume), in place of a --config file.
  const file = saved ? structuredClone(saved) : flags.config ? readConfigFile(flags.config) : {};
  // A saved run.json holds its config under "config".
  const base = isObject(file.config) && 'engine' in file.config && 'summary' in file ? { ...file.config } : file;
  const engine = engineOf({ engine: flags.engine ?? base.engine }, '--engine');
  const own = engineFields(engine);
  const wrong = (Object.keys(ENGINE_FLAG_FIELDS) as (keyof RunFlags)[]).filter((k) => flags[k] !== undefined && !own.includes(ENGINE_FLAG_FIELDS[k]!));
  if (wrong.length) throw new ConfigError(`${wrong.map(flagName).join(', ')}: not for --engine ${engine} (see stalelab run --help)`);
  if (flags.threads !== undefined && flags.workers !== undefined && flags.threads !== flags.workers) throw new ConfigError('--threads and --workers: give one (--threads is --workers for the threads engine)');
  // A budget on the command line replaces the file's budget rather than adding a second one.
  if (flags.steps !== undefined || flags.epochs !== undefined) {
    delete base.steps;
    delete base.epochs;
  }
  delete base.id;
  const timing =
    flags.timing !== undefined || flags.gammaShape !== undefined || flags.heterogeneity !== undefined
      ? defined({
          ...(isObject(base.timing) ? base.timing : typeof base.timing === 'string' ? { kind: base.timing } : {}),
          kind: flags.timing ?? (isObject(base.timing) ? base.timing.kind : base.timing) ?? 'gamma',
          shape: flags.gammaShape,
          heterogeneity: flags.heterogeneity,
        })
      : base.timing;
  const divergeLoss = flags.divergeLoss === undefined ? undefined : flags.divergeLoss === 'auto' || flags.divergeLoss === 'off' ? flags.divergeLoss : Number(flags.divergeLoss);
  return {
    ...base,
    ...defined({
      engine,
      id: flags.id,
      ...problem(flags, base),
      rule: await ruleFromFlags(flags, base),
      lr: flags.lr,
      batchSize: flags.batchSize,
      seed: flags.seed,
      backend: flags.backend,
      workers: flags.workers ?? flags.threads,
      steps: flags.steps,
      epochs: flags.epochs,
      seconds: flags.seconds,
      preset: flags.preset,
      timing,
      sync: flags.sync,
      persistence: flags.persistence,
      evalEvery: flags.evalEvery,
      evalSubset: flags.evalSubset,
      evalSplits: flags.evalSplits,
      target: flags.target,
      logEvery: flags.logEvery,
      divergeLoss,
      listen: flags.listen,
      port: flags.port,
      localWorkers: flags.localWorkers,
      delay: flags.delay,
      straggler: flags.straggler,
      checkpointEvery: flags.checkpointEvery,
    }),
  };
}
