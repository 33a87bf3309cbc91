import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../config/validate.ts';
import { numberFlag, specFlag, targetFlag } from './flagValues.ts';
import { runCommand, type CommandIo } from './runCommand.ts';
import type { RunFlags } from './runConfig.ts';
import { sweepCommand } from './sweepCommand.ts';

// Kept here (not imported from the engines) so `stalelab --help` answers without loading TensorFlow.js;
// test/cli.test.ts checks these lists equal the engines' own.
export const CLI_BACKENDS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export const CLI_SYNC_MODES = ['lock', 'hogwild', 'leashed'] as const;
export const CLI_TIMINGS = ['gamma', 'round-robin'] as const;
export const CLI_HETEROGENEITY = ['homogeneous', 'uniform'] as const;

const EXAMPLES = `
Examples:
  plain SGD:        stalelab run --model mlp --dataset mnist --steps 200 --batch-size 64 --lr 0.05 --seed 1 --out runs/sgd
  simulated async:  stalelab run --rule dana-zero --workers 16 --timing gamma --model mlp --dataset mnist --train-size 5000 --steps 2000 --lr 0.05 --out runs/dana
  real threads:     stalelab run --engine threads --sync hogwild --threads 2 --step-size tail-tau --model mlp --dataset mnist --steps 2000 --lr 0.01 --out runs/hogwild
  sweep:            stalelab sweep grid.json --out runs/sweep

Specs (--model, --dataset, --rule, --step-size, --objective) take a name or a JSON object, e.g.
  --model '{"name":"mlp","widths":[128]}'  --rule '{"base":"nesterov","penalties":["gap-aware"]}'
  --step-size '{"kind":"tail-tau","amplitude":0.5}'
A bad name or field is rejected with the allowed values.`;

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
    .addOption(new Option('--engine <engine>', 'sim: simulated cluster (one worker = plain SGD); threads: real worker_threads').choices(['sim', 'threads']).default('sim'))
    .option('--config <file>', 'a JSON run config of the engine; the flags given override its fields')
    .requiredOption('--out <dir>', 'directory for the tables and run record')
    .option('--model <spec>', 'model: logreg | mlp | lenet5 | lenet-asap | resnet20 | resnet32 | resnet56, or a JSON spec', specFlag('name'))
    .option('--dataset <spec>', 'dataset: mnist | fashion-mnist | cifar10 | gaussian-mixture | linear-regression, or a JSON spec', specFlag('name'))
    .option('--train-size <n>', 'train on a seeded subset of this many examples', int('examples', 1))
    .option('--test-size <n>', 'evaluate on a seeded subset of this many test examples', int('examples', 1))
    .option('--objective <spec>', 'a built-in objective instead of model + dataset (sim: quadratic; threads: quadratic, constant-gradient), name or JSON', specFlag('name'))
    .option('--steps <n>', 'budget in updates (sim: master updates; threads: gradients over all threads)', int('updates', 1))
    .option('--epochs <x>', 'sim only: budget in epochs instead of --steps', positive('epochs'))
    .option('--seconds <x>', 'threads only: wall-time budget', positive('seconds'))
    .option('--batch-size <n>', 'minibatch size per worker/thread (default: sim 128, threads 16)', int('examples', 1))
    .option('--lr <x>', 'base learning rate η', positive('learning rate'))
    .option('--momentum <x>', 'sim only: momentum γ in [0, 1); with no --rule it selects momentum-asgd', numberFlag('momentum', { min: 0, max: 0.999999 }))
    .option('--weight-decay <x>', 'sim only: L2 weight decay', numberFlag('weight decay', { min: 0 }))
    .option('--seed <n>', 'seed of everything random (same seed, same tables in the sim engine)', int('seed', 0, 2 ** 31 - 1))
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend (default: sim auto, threads wasm)').choices(CLI_BACKENDS))
    .option('--rule <spec>', 'sim only: update rule by name (asgd, nag-asgd, multi-asgd, sa, dc-asgd, ga, ga-momentum, dana-zero, dana-slim, dana-dc, ssgd, …) or a JSON composition', specFlag('rule'))
    .option('--workers <n>', 'sim only: N simulated workers (default 1)', int('workers', 1, 4096))
    .addOption(new Option('--timing <kind>', 'sim only: worker compute-time model').choices(CLI_TIMINGS))
    .option('--gamma-shape <k>', 'sim only: shape of the gamma compute times (CV = 1/√k)', positive('gamma shape'))
    .addOption(new Option('--heterogeneity <kind>', 'sim only: per-worker mean compute times').choices(CLI_HETEROGENEITY))
    .option('--step-size <spec>', 'staleness-adaptive α(τ): constant | inverse | fleet-exponential | tail-tau, or JSON (normalised-exponential needs c)', specFlag('kind'))
    .option('--eval-every <n>', 'evaluate every n updates (default: at the start and the end)', int('updates', 1))
    .option('--eval-subset <n>', 'threads only: evaluate on this many seeded rows per split', int('rows', 1))
    .option('--log-every <n>', 'sim only: keep every n-th update row', int('updates', 1))
    .option('--diverge-loss <bound>', 'sim only: "auto", "off" or a loss bound that marks the run diverged')
    .addOption(new Option('--sync <mode>', 'threads only: synchronisation (default hogwild)').choices(CLI_SYNC_MODES))
    .option('--threads <n>', 'threads only: T worker threads (default 2)', int('threads', 1, 127))
    .option('--persistence <n>', 'threads only, leashed: drop a gradient after n+1 failed publishes (default unbounded)', int('retries', 0))
    .option('--target <metric=value>', 'threads only: report time to reach e.g. test_accuracy=0.9 or train_loss=0.3', targetFlag)
    .option('--id <id>', 'run id for the record')
    .option('--no-progress', 'no progress bar')
    .addHelpText('after', EXAMPLES)
    .action(async (opts: RunFlags & { out: string; progress: boolean }) => {
      exit.code = await runCommand(opts, io);
    });

  program
    .command('sweep')
    .description('run a grid of simulated-cluster configs (rules × workers × seeds × any field); finished runs are kept and skipped on rerun')
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
