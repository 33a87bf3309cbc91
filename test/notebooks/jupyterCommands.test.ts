/**
 * The Jupyter commands environment.md gives, run from the shell after scripts/setup-jupyter.sh:
 * `jupyter nbconvert --version` (Debian's jupyter-nbconvert; python3-nbconvert alone has no such
 * command), the tslab kernel in `jupyter kernelspec list`, and the documented `jupyter notebook
 * --allow-root` line, started for real: its server answers on localhost with the tslab kernel.
 * Skipped where Jupyter is not installed, unless STALELAB_REQUIRE_JUPYTER=1 (CI).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { freePort } from '../engines/ps/psProcesses.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const required = process.env.STALELAB_REQUIRE_JUPYTER === '1';
const hasJupyter = spawnSync('bash', ['-c', 'command -v jupyter'], { stdio: 'ignore' }).status === 0;
const skip = hasJupyter || required ? false : 'no jupyter command: run bash scripts/setup-jupyter.sh';

/** A command in the project's Jupyter environment, as environment.md runs it. */
const inJupyterEnv = (command: string) => spawnSync('bash', ['-c', `source scripts/jupyter-env.sh && ${command}`], { cwd: ROOT, encoding: 'utf8' });

before(() => {
  if (skip) return;
  const setup = spawnSync('bash', ['scripts/setup-jupyter.sh'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(setup.status, 0, `setup-jupyter failed:\n${setup.stdout}${setup.stderr}`);
});

test('jupyter nbconvert --version works from the shell after set-up', { skip }, () => {
  const r = inJupyterEnv('jupyter nbconvert --version');
  assert.equal(r.status, 0, `jupyter nbconvert --version failed: ${r.stderr}`);
  assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+$/);
});

test('jupyter kernelspec list shows the tslab kernel', { skip }, () => {
  const r = inJupyterEnv('jupyter kernelspec list --json');
  assert.equal(r.status, 0, r.stderr);
  const specs = (JSON.parse(r.stdout) as { kernelspecs: Record<string, { resource_dir: string }> }).kernelspecs;
  assert.ok(specs.tslab, `kernels: ${Object.keys(specs).join(', ')}`);
  assert.ok(specs.tslab.resource_dir.startsWith(join(ROOT, '.jupyter')), 'registered inside the project');
});

test("environment.md's `jupyter notebook --allow-root` line starts a server (also as root) that offers the tslab kernel", { skip, timeout: 120_000 }, async () => {
  const doc = readFileSync(join(ROOT, 'environment.md'), 'utf8');
  const line = /^source scripts\/jupyter-env\.sh && jupyter notebook --allow-root[^#\n]*/m.exec(doc)?.[0].trim();
  assert.ok(line, 'environment.md shows how to start Jupyter as root');
  if (process.getuid?.() === 0) {
    const refused = inJupyterEnv('jupyter notebook --no-browser --port=1 notebooks/');
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /--allow-root/, 'as root, Jupyter refuses without the flag environment.md gives');
  }
  const port = await freePort();
  const server = spawn('bash', ['-c', `${line} --port=${port} --NotebookApp.port_retries=0`], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const seen = (chunk: Buffer) => {
        log += chunk.toString();
        const m = /http:\/\/(?:localhost|127\.0\.0\.1):(\d+)\/\?token=([0-9a-f]+)/.exec(log);
        if (m) resolve(`http://127.0.0.1:${m[1]}/api/kernelspecs?token=${m[2]}`);
      };
      server.stdout.on('data', seen);
      server.stderr.on('data', seen);
      server.once('exit', (code) => reject(new Error(`jupyter notebook exited (${code}) before serving:\n${log}`)));
    });
    assert.ok(url.includes(`:${port}/`), url);
    const specs = (await (await fetch(url)).json()) as { kernelspecs: Record<string, unknown> };
    assert.ok('tslab' in specs.kernelspecs, `kernels: ${Object.keys(specs.kernelspecs).join(', ')}`);
  } finally {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      process.kill(-server.pid!, 'SIGTERM');
      await exited;
    }
  }
});
