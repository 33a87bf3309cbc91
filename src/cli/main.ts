import { Command, CommanderError, Option } from 'commander';
import { BACKEND_CHOICES } from '../backend/backendNames.ts';
import { ConfigError } from '../config/validate.ts';
import { DATASET_NAMES } from '../data/datasetSpec.ts';
import { SYNC_MODES } from '../engines/threads/syncModes.ts';
import { TIMING_SCHEMAS } from '../engines/sim/timingSpec.ts';
import { MODEL_NAMES } from '../models/modelSpec.ts';
import { BUILTIN_OBJECTIVE_SCHEMAS } from '../oracle/builtinObjectives.ts';
import { RULE_NAMES } from '../rules/namedRules.ts';
import { baseNames, transformNames } from '../rules/registry.ts';
import { TARGET_METRICS } from '../run/configFields.ts';
import { ENGINE_NAMES, ENGINES } from '../run/engines.ts';
import { SPLIT_NAMES } from '../data/dataset.ts';
import { STEP_SIZE_KINDS } from '../stepsize/stepSizeSpec.ts';
import { numberFlag, specFlag, targetFlag } from './flagValues.ts';
import { runCommand, type CommandIo } from './runCommand.ts';
import type { RunFlags } from './runConfig.ts';
import { sweepCommand } from './sweepCommand.ts';

const EXAMPLES = `
Examples:
  plain SGD:        stalelab run --model mlp --dataset mnist --steps 200 --batch-size 64 --lr 0.05 --seed 1 --out runs/sgd
  simulated async:  stalelab run --rule dana-zero --workers 8 --timing gamma --model mlp --dataset mnist --train-size 5000 --steps 2000 --lr 0.01 --out runs/dana
  real threads:     stalelab run --engine threads --sync hogwild --threads 2 --step-size tail-tau --model mlp --dataset mnist --steps 2000 --lr 0.01 --out runs/hogwild
  sweep:            stalelab sweep experiments/rules-by-workers.json --out runs/sweep

Specs (--model, --dataset, --rule, --step-size, --objective) take a name or a JSON object, e.g.
  --model '{"name":"mlp","widths":[128]}'  --rule '{"name":"ga-momentum","momentum":0.95}'
  --rule '{"base":{"name":"momentum","nesterov":true},"transforms":["gap-aware"]}'
  --rule '{"base":"sgd","transforms":[{"module":"./myPenalty.ts","export":"myPenalty"}]}'
  --step-size '{"kind":"tail-tau","amplitude":0.5}'
A bad name or field is rejected with the allowed values.`;

const names = (list: readonly string[]) => list.join(' | ');

function buildProgram(io: CommandIo, exit: { code: number }): Command {
  const program = new Command('stalelab')
    .description('Asynchronous SGD under gradient staleness: simulated clusters (Gap-Aware, DANA, …) and real multi-threaded AsyncSGD (lock, Hogwild!, Leashed-SGD) on TensorFlow.js')
    .showHelpAfterError('(run with --help for the flags)')
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) })
    .exitOverride();
  const int = (what: string, min = 0, max?: number) => numberFlag(what, { integer: true, min, ...(max !== undefined ? { max } : {}) });
  const positive = (what: string) => numberFlag(what, { min: 0, exclusiveMin: true });

  program
    .command('run')
    .description('one training run; writes OUT/updates.csv, OUT/evals.csv and OUT/run.json')
    .addOption(new Option('--engine <engine>', `${ENGINE_NAMES.map((e) => `${e}: ${ENGINES[e].description}`).join('; ')} (default sim)`).choices(ENGINE_NAMES))
    .option('--config <file>', 'a JSON run config (or a saved run.json); the flags given override its fields')
    .requiredOption('--out <dir>', 'directory for the tables and run record')
    .option('--model <spec>', `model: ${names(MODEL_NAMES)}, or a JSON spec`, specFlag('name'))
    .option('--dataset <spec>', `dataset: ${names(DATASET_NAMES)}, or a JSON spec`, specFlag('name'))
    .option('--train-size <n>', 'train on a seeded subset of this many examples', int('examples', 1))
    .option('--test-size <n>', 'evaluate on a seeded subset of this many test examples', int('examples', 1))
    .option('--objective <spec>', `a built-in objective instead of model + dataset: ${names(Object.keys(BUILTIN_OBJECTIVE_SCHEMAS))}, name or JSON`, specFlag('name'))
    .option('--steps <n>', 'budget in updates (minibatch gradients applied; SSGD rounds)', int('updates', 1))
    .option('--epochs <x>', 'budget in epochs instead of --steps', positive('epochs'))
    .option('--seconds <x>', 'threads: wall-time budget (with or without --steps)', positive('seconds'))
    .option('--batch-size <n>', 'minibatch size per worker (default 128)', int('examples', 1))
    .option('--lr <x>', 'base learning rate η', positive('learning rate'))
    .option('--momentum <x>', "the rule's momentum γ in [0, 1); with no --rule it selects momentum-asgd", numberFlag('momentum', { min: 0, max: 0.999999 }))
    .option('--weight-decay <x>', 'L2 weight decay, a weight-decay transform first in the rule', numberFlag('weight decay', { min: 0 }))
    .option('--seed <n>', 'seed of everything random (same seed, same tables in the sim engine)', int('seed', 0, 2 ** 31 - 1))
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend (default auto)').choices(BACKEND_CHOICES))
    .option('--rule <spec>', `update rule: ${names(RULE_NAMES)}; or JSON { name, ...parameters } or { base, transforms, sync } with bases ${names(baseNames())} and transforms ${names(transformNames())}`, specFlag('rule'))
    .option('--workers <n>', 'N workers: simulated workers, or worker threads (default 1)', int('workers', 1, 4096))
    .option('--threads <n>', 'threads: the same as --workers', int('threads', 1, 127))
    .addOption(new Option('--timing <kind>', 'sim: worker compute-time model').choices(Object.keys(TIMING_SCHEMAS).filter((k) => k !== 'schedule')))
    .option('--gamma-shape <k>', 'sim: shape of the gamma compute times (CV = 1/√k)', positive('gamma shape'))
    .addOption(new Option('--heterogeneity <kind>', 'sim: per-worker mean compute times').choices(['homogeneous', 'uniform']))
    .option('--step-size <spec>', `staleness-adaptive α(τ), a staleness-step transform last in the rule: ${names(STEP_SIZE_KINDS)}, or JSON (normalised-exponential needs c)`, specFlag('kind'))
    .option('--eval-every <n>', 'evaluate every n updates (default: at the start and the end)', int('updates', 1))
    .option('--eval-splits <list>', `splits to evaluate, comma-separated: ${names(SPLIT_NAMES)} (default test)`, (v: string) => v.split(',').map((x) => x.trim()))
    .option('--eval-subset <n>', 'evaluate on this many seeded rows per split', int('rows', 1))
    .option('--log-every <n>', 'keep every n-th update row', int('updates', 1))
    .option('--diverge-loss <bound>', '"auto", "off" or a loss bound that marks the run diverged')
    .addOption(new Option('--sync <mode>', 'threads: synchronisation (default lock)').choices(SYNC_MODES))
    .option('--persistence <n>', 'threads, leashed: drop a gradient after n+1 failed publishes (default unbounded)', int('retries', 0))
    .option('--target <metric=value>', `stop when an evaluation reaches it: ${names(TARGET_METRICS)}, e.g. test_accuracy=0.9`, targetFlag)
    .option('--id <id>', 'run id for the record')
    .option('--no-progress', 'no progress bar')
    .addHelpText('after', EXAMPLES)
    .action(async (opts: RunFlags & { out: string; progress: boolean }) => {
      exit.code = await runCommand(opts, io);
    });

  program
    .command('sweep')
    .description('run a grid of configs of any engine (rules × workers × seeds × engines × any field); finished runs are kept and skipped on rerun')
    .argument('<grid>', 'JSON file: { "base": { …run config… }, "vary": { "rule": [...], "workers": [...], "seed": [...] } }')
    .requiredOption('--out <dir>', 'directory: one sub-directory per run, plus runs.csv, updates.csv, evals.csv')
    .option('--no-progress', 'no progress bar')
    .action(async (grid: string, opts: { out: string; progress: boolean }) => {
      exit.code = await sweepCommand(grid, opts, io);
    });
  return program;
}

/** Run the CLI on argv (process.argv form) and return the exit status instead of exiting. */
export async function main(argv: readonly string[], io: CommandIo = { out: process.stdout, err: process.stderr }): Promise<number> {
  const exit = { code: 0 };
  const program = buildProgram(io, exit);
  try {
    await program.parseAsync([...argv]);
    return exit.code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof ConfigError) {
      io.err.write(`stalelab: ${e.message}\n`);
      return 2;
    }
    io.err.write(`stalelab: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}
