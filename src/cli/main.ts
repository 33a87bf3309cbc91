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
import { PRESET_NAMES } from '../run/presets.ts';
import { STEP_SIZE_KINDS } from '../stepsize/stepSizeSpec.ts';
import { numberFlag, specFlag, targetFlag } from './flagValues.ts';
import { runCommand, type CommandIo, type RunCommandFlags } from './runCommand.ts';
import { serveCommand } from './serveCommand.ts';
import { joinCommand } from './joinCommand.ts';
import { TOKEN_ENV } from '../engines/ps/spawnPsWorker.ts';
import { sweepCommand, type SweepFlags } from './sweepCommand.ts';
import { workerCommand, type WorkerFlags } from './workerCommand.ts';
import { plotCommand, type PlotFlags } from './plotCommand.ts';
import { recordCommandLine, stalelabVersion } from '../run/provenance.ts';

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

const SWEEP_EXAMPLES = `
Examples:
  here:             stalelab sweep grid.json --out runs/sweep
  across machines:  stalelab sweep grid.json --queue redis://HOST:6379 --out runs/sweep
                    with  stalelab worker --queue redis://HOST:6379  on each machine (any number)
  Slurm array:      sbatch --array=0-$((N-1)) docs/cluster/slurm-array.sbatch grid.json runs/sweep
                    (N: the first number of  stalelab sweep grid.json --list), then
                    stalelab sweep grid.json --collect runs/sweep`;

const names = (list: readonly string[]) => list.join(' | ');

function buildProgram(io: CommandIo, exit: { code: number }): Command {
  const program = new Command('stalelab')
    .description('Asynchronous SGD under gradient staleness: simulated clusters (Gap-Aware, DANA, …) and real multi-threaded AsyncSGD (lock, Hogwild!, Leashed-SGD) on TensorFlow.js')
    .showHelpAfterError('(run with --help for the flags)')
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) })
    .option('--debug', 'show the stack of every error, also of bad input')
    .version(stalelabVersion(), '-V, --version', "print stalelab's version")
    .exitOverride();
  const int = (what: string, min = 0, max?: number) => numberFlag(what, { integer: true, min, ...(max !== undefined ? { max } : {}) });
  const positive = (what: string) => numberFlag(what, { min: 0, exclusiveMin: true });

  program
    .command('run')
    .description('one training run; writes OUT/updates.csv, OUT/evals.csv and OUT/run.json')
    .addOption(new Option('--engine <engine>', `${ENGINE_NAMES.map((e) => `${e}: ${ENGINES[e].description}`).join('; ')} (default sim)`).choices(ENGINE_NAMES))
    .option('--config <file>', 'a JSON or YAML (.yaml/.yml) run config (or a saved run.json); the flags given override its fields')
    .option('--out <dir>', 'directory for the tables and run record (new or empty, checked before training); required unless --resume')
    .option('--overwrite', 'write into an --out that already holds files (a saved run is replaced)')
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
    .addOption(new Option('--preset <name>', "sim: a named protocol's defaults under the other flags: authors = the GA/DANA authors' simulator (gamma shape 100, warm-up from lr/N, step decay at 1/2 and 3/4, their DANA-DC, master and look-ahead evaluated)").choices(PRESET_NAMES))
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
    .option('--listen <address>', 'ps: interface the server binds (default 127.0.0.1, this machine only; 0.0.0.0 or * = every interface)')
    .option('--port <n>', 'ps: TCP port of the server (default 0: a free one, printed when workers are to join)', int('port', 0, 65535))
    .option('--local-workers <n>', 'ps: worker processes started on this machine (default all --workers; the others join with stalelab join)', int('workers', 0, 128))
    .option('--delay <spec>', 'ps: extra delay before each push: none | {"kind":"constant","ms":5} | {"kind":"gamma","shape":2,"meanMs":20}', specFlag('kind'))
    .option('--straggler <json>', 'ps: one slow worker, e.g. {"worker":0,"factor":4} (its compute time ×4)', specFlag('worker'))
    .option('--target <metric=value>', `stop when an evaluation reaches it: ${names(TARGET_METRICS)}, e.g. test_accuracy=0.9`, targetFlag)
    .option('--id <id>', 'run id for the record')
    .option('--checkpoint-every <n>', 'sim, threads: save a checkpoint in --out every n updates (and when interrupted), to continue with --resume', int('updates', 1))
    .option('--resume <dir>', "continue the checkpointed run in DIR (its config is in the checkpoint; flags that would change the run are refused) and write DIR's tables as an uninterrupted run would")
    .option('--no-progress', 'no progress bar')
    .addHelpText('after', EXAMPLES)
    .action(async (opts: RunCommandFlags) => {
      exit.code = await runCommand(opts, io);
    });

  program
    .command('serve')
    .description('the server of a parameter-server run (engine ps) that workers on other machines join: stalelab run --engine ps --local-workers 0 with every run flag; prints the join command')
    .usage('[run flags] --workers N --out DIR [--listen ADDRESS] [--port PORT] [--token T]')
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[run flags...]', 'any stalelab run flags (see stalelab run --help)')
    .option('--token <token>', `the run's token (default: $${TOKEN_ENV}, else a fresh one, printed once)`)
    .action(async (flags: string[], opts: { token?: string }) => {
      exit.code = await serveCommand(flags, opts, (argv) => main(argv, io));
    });

  program
    .command('join')
    .description('be one worker of a parameter-server run until the server says stop (this process computes gradients with its own TensorFlow.js backend)')
    .argument('<endpoint>', 'tcp://HOST:PORT of the server (stalelab serve prints it)')
    .option('--token <token>', `the run's token (default: $${TOKEN_ENV})`)
    .addOption(new Option('--backend <name>', "TensorFlow.js backend of this worker (default: the run's)").choices(BACKEND_CHOICES))
    .option('--timeout <sec>', 'seconds to wait for the server to answer (default 60)', positive('seconds'))
    .action(async (endpoint: string, opts: { token?: string; backend?: string; timeout?: number }) => {
      exit.code = await joinCommand(endpoint, opts, io);
    });

  program
    .command('sweep')
    .description('run a grid of configs of any engine (rules × workers × seeds × engines × any field); finished runs are kept and skipped on rerun')
    .argument('<grid>', 'JSON or YAML (.yaml/.yml) file: { "base": { …run config… }, "vary": { "rule": [...], "workers": [...], "seed": [...] } }')
    .option('--out <dir>', 'directory: one sub-directory per run, plus runs.csv, updates.csv, evals.csv')
    .option('--queue <url>', 'run on workers (stalelab worker) through a BullMQ queue on Redis: redis://[:password@]host:port[/db]')
    .option('--queue-name <name>', 'queue: the BullMQ queue (default stalelab; workers take runs from the queue of their --queue-name)')
    .option('--shared-dir', 'queue: --out is on a filesystem every worker sees at the same path; workers write the runs there themselves')
    .option('--attempts <n>', 'queue: attempts per run before it counts as failed (default 3)', int('attempts', 1, 100))
    .option('--backoff <seconds>', 'queue: delay before the first retry of a failed run, doubling each time (default 10)', numberFlag('backoff', { min: 0 }))
    .option('--index <i>', 'run only entry i of the grid into --out (skipped if finished), e.g. $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX', int('index', 0))
    .option('--list', 'print the number of runs and each entry (index, run id, swept values)')
    .option('--collect <dir>', 'assemble DIR/runs.csv, updates.csv, evals.csv from the runs an array job wrote into DIR')
    .option('--overwrite', "replace the tables of an --out that holds another grid's sweep (its run folders stay)")
    .option('--no-progress', 'no progress bar')
    .addHelpText('after', SWEEP_EXAMPLES)
    .action(async (grid: string, opts: SweepFlags) => {
      exit.code = await sweepCommand(grid, opts, io);
    });

  program
    .command('plot')
    .description('save the standard figures of a saved run (test loss/accuracy, minibatch loss, staleness) or sweep (final test accuracy/loss vs workers per rule) as SVG, PNG, PDF; needs Chromium')
    .argument('<dir>', 'a run directory (run.json, from stalelab run --out) or a sweep directory (runs.csv, from stalelab sweep --out)')
    .option('--format <list>', 'comma-separated: svg, png, pdf (default all three)')
    .option('--out <dir>', 'directory for the figures (default DIR/figures)')
    .action(async (dir: string, opts: PlotFlags) => {
      exit.code = await plotCommand(dir, opts, io);
    });

  program
    .command('worker')
    .description('take runs of sweeps from a BullMQ queue on Redis and run them, until Ctrl-C (start any number, on any machines)')
    .requiredOption('--queue <url>', 'redis://[:password@]host:port[/db] (the URL the sweep was given)')
    .option('--concurrency <k>', 'runs at once in this process (default 1)', int('runs', 1, 1024))
    .option('--queue-name <name>', 'the BullMQ queue (default stalelab)')
    .option('--lock-duration <ms>', "a job's lock without renewal; a dead worker's runs are retried after about this long (default 30000)", int('milliseconds', 100))
    .option('--stalled-interval <ms>', "how often to look for dead workers' runs (default 30000)", int('milliseconds', 100))
    .option('--max-stalled <n>', 'times a run may lose its worker before it counts as failed (default 2)', int('times', 0))
    .action(async (opts: WorkerFlags) => {
      exit.code = await workerCommand(opts, io);
    });
  return program;
}

/**
 * Run the CLI on argv (process.argv form) and return the exit status instead of exiting. Bad
 * input of any kind (a ConfigError: config, data, output paths) is one line, `stalelab: …`, and
 * status 2; anything else is a bug or a crash: its stack, and status 1. `--debug` adds the stack
 * to the one-line errors too.
 */
export async function main(argv: readonly string[], io: CommandIo = { out: process.stdout, err: process.stderr }): Promise<number> {
  const exit = { code: 0 };
  // Every run record made by this invocation names it (run.json: command, cwd).
  const restoreCommandLine = recordCommandLine(argv);
  const program = buildProgram(io, exit);
  try {
    await program.parseAsync([...argv]);
    return exit.code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const debug = Boolean(program.opts().debug) || argv.includes('--debug');
    if (e instanceof ConfigError) {
      io.err.write(`stalelab: ${e.message}\n`);
      if (debug && e.stack) io.err.write(`${e.stack}\n`);
      return 2;
    }
    io.err.write(`stalelab: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  } finally {
    restoreCommandLine();
  }
}
