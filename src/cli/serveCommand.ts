import { ConfigError } from '../config/validate.ts';
import { TOKEN_ENV } from '../engines/ps/spawnPsWorker.ts';

/**
 * `stalelab serve …`: the server side of a parameter-server run. It is `stalelab run --engine ps`
 * with every run flag, except that by default no worker is started here (`--local-workers 0`):
 * the workers join with `stalelab join`, and the command prints how. `--token` (or
 * STALELAB_PS_TOKEN) fixes the token; without one a fresh token is generated and printed once.
 */
export async function serveCommand(runFlags: readonly string[], opts: { token?: string }, run: (argv: string[]) => Promise<number>): Promise<number> {
  const given = (flag: string) => runFlags.some((f) => f === flag || f.startsWith(`${flag}=`));
  const engineAt = runFlags.findIndex((f) => f === '--engine' || f.startsWith('--engine='));
  if (engineAt >= 0) {
    const value = runFlags[engineAt].includes('=') ? runFlags[engineAt].split('=')[1] : runFlags[engineAt + 1];
    if (value !== 'ps') throw new ConfigError(`--engine: serve runs the parameter server (engine ps), got "${value}"; use stalelab run for the other engines`);
  }
  if (opts.token !== undefined) {
    if (opts.token.length < 8) throw new ConfigError('--token: expected at least 8 characters');
    // The server reads the token from its environment, so it never lands in the saved config.
    process.env[TOKEN_ENV] = opts.token;
  }
  return run(['node', 'stalelab', 'run', ...(engineAt >= 0 ? [] : ['--engine', 'ps']), ...(given('--local-workers') ? [] : ['--local-workers', '0']), ...runFlags]);
}
