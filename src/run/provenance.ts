import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

/** The package root: src/run/ and dist/run/ both sit two levels below it. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let version: string | undefined;

/** stalelab's version from its package.json. */
export function stalelabVersion(): string {
  if (version === undefined) {
    try {
      version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
    } catch {
      version = 'unknown';
    }
  }
  return version;
}

export interface SourceRevision {
  commit: string;
  /** Tracked files differ from the commit (uncommitted changes). */
  dirty: boolean;
}

let revision: SourceRevision | null | undefined;

/** The git commit the code runs from when it runs from a checkout (null for an installed package or without git). */
export function sourceRevision(): SourceRevision | null {
  if (revision !== undefined) return revision;
  revision = null;
  if (existsSync(`${ROOT}.git`)) {
    try {
      const git = (...args: string[]) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
      revision = { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '' };
    } catch {
      revision = null;
    }
  }
  return revision;
}

/** Versions every run record carries: stalelab, Node, and the commit when run from a checkout. */
export function runVersions(): Record<string, string> {
  const rev = sourceRevision();
  return {
    stalelab: stalelabVersion(),
    node: process.versions.node,
    ...(rev ? { git_commit: rev.commit, git_dirty: String(rev.dirty) } : {}),
  };
}

let commandLine: string[] | null = null;

/** Flags whose value admits a peer to a run (a parameter server's token). */
const SECRET_FLAGS = ['--token'];
const REDACTED = '<redacted>';

/**
 * The argv with its secrets replaced: run.json is shared with results, so neither a run's token
 * nor the password in a queue URL (redis://:PASSWORD@host) may be written into it.
 */
export function redactSecrets(argv: readonly string[]): string[] {
  return argv.map((arg, i) => {
    if (i > 0 && SECRET_FLAGS.includes(argv[i - 1]!)) return REDACTED;
    const eq = arg.indexOf('=');
    if (eq > 0 && SECRET_FLAGS.includes(arg.slice(0, eq))) return `${arg.slice(0, eq)}=${REDACTED}`;
    return arg.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^/@]*@/i, `$1${REDACTED}@`);
  });
}

/**
 * The CLI records the argv it runs (process.argv form) so every run record it makes names it;
 * the returned function puts back what was there (a CLI called in-process, as tests do, leaves
 * later library runs recorded as 'library').
 */
export function recordCommandLine(argv: readonly string[]): () => void {
  const previous = commandLine;
  // A command that runs another in-process (serve runs `run`) keeps the outer argv, the one typed.
  commandLine = previous ?? redactSecrets(argv);
  return () => {
    commandLine = previous;
  };
}

/** How a run was started: the CLI's argv, or 'library' for runExperiment / sweep called from code; and the directory relative paths in it mean. */
export function invocation(): { command: string[] | 'library'; cwd: string } {
  return { command: commandLine ? [...commandLine] : 'library', cwd: process.cwd() };
}

export interface MachineRecord {
  cores: number;
  cpu: string;
  memoryGiB: number;
  platform: string;
  node: string;
}

/** The machine a run ran on. */
export function machineRecord(): MachineRecord {
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()}-${os.arch()}`,
    node: process.versions.node,
  };
}
