import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { signalExitCode, type StopSignal } from '../../src/cli/interrupt.ts';
import { loadRun } from '../../src/results/runDir.ts';

const root = mkdtempSync(join(tmpdir(), 'stalelab-signals-'));
after(() => rmSync(root, { recursive: true, force: true }));
const bin = new URL('../../bin/stalelab.mjs', import.meta.url).pathname;

/**
 * Start `args` in a real child process; once its stderr matches `ready`, send the signals in
 * turn, each after the stderr matched the pattern paired with it. Resolves with the exit status.
 */
function runAndSignal(args: string[], steps: [RegExp, NodeJS.Signals][]): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let next = 0;
  child.stderr.on('data', (d) => {
    err += String(d);
    while (next < steps.length && steps[next][0].test(err)) child.kill(steps[next++][1]);
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, err })));
}

const longRun = (out: string) => [bin, 'run', '--objective', '{"name":"quadratic","dim":200000}', '--steps', '1000000', '--lr', '0.01', '--workers', '4', '--out', out];

for (const signal of ['SIGTERM', 'SIGHUP'] as const satisfies readonly StopSignal[]) {
  test(`${signal} stops a run like Ctrl-C: the finished rows are saved, status interrupted, exit ${signalExitCode(signal)}`, async () => {
    const out = join(root, signal);
    const { code, err } = await runAndSignal(longRun(out), [[/updates/, signal]]);
    assert.equal(code, signalExitCode(signal), err);
    assert.match(err, new RegExp(`${signal}: stopping after the current update and saving the finished rows`));
    const run = loadRun(out);
    assert.equal(run.record.status, 'interrupted');
    assert.ok(run.updates.numRows() > 0 && run.updates.numRows() < 1_000_000, `${run.updates.numRows()} rows`);
  });
}

test('a second signal exits at once, with its own status, even while the first is still being honoured', async () => {
  // A process that takes the first signal and never finishes stopping: only the second can end it.
  const script = `import(${JSON.stringify(new URL('../../src/cli/interrupt.ts', import.meta.url).href)}).then(({ interruptOnSignals }) => {
    const i = interruptOnSignals();
    i.signal.addEventListener('abort', () => process.stderr.write('aborted by ' + i.received + '\\n'));
    setInterval(() => {}, 1000);
    process.stderr.write('ready\\n');
  })`;
  const { code, err } = await runAndSignal(['--import', 'tsx', '-e', script], [
    [/ready/, 'SIGTERM'],
    [/aborted by SIGTERM/, 'SIGHUP'],
  ]);
  assert.equal(code, signalExitCode('SIGHUP'), err);
  assert.match(err, /second signal \(SIGHUP\): exiting now/);
});
