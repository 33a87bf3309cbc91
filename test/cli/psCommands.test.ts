import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './runCli.ts';
import { TOKEN_ENV } from '../../src/engines/ps/spawnPsWorker.ts';
import { loadRun } from '../../src/results/runDir.ts';
import { freePort } from '../engines/ps/psProcesses.ts';

test('serve and join: a server with no local worker, two workers joining by endpoint and token, the run saved without the token', async () => {
  const port = await freePort();
  const token = 'cli-test-token-0123456789';
  const out = mkdtempSync(join(tmpdir(), 'stalelab-serve-'));
  const before = process.env[TOKEN_ENV];
  try {
    const server = cli('serve', '--objective', 'quadratic', '--workers', '2', '--steps', '30', '--lr', '0.05', '--port', String(port), '--token', token, '--out', out, '--no-progress');
    const endpoint = `tcp://127.0.0.1:${port}`;
    const [a, b] = await Promise.all([cli('join', endpoint, '--token', token), cli('join', endpoint, '--token', token)]);
    const s = await server;
    assert.equal(s.code, 0, s.err);
    for (const w of [a, b]) {
      assert.equal(w.code, 0, w.err);
      assert.match(w.out, /^worker [01] of tcp:\/\/127\.0\.0\.1:\d+: stopped \(the run is finished\) after \d+ gradients\n$/);
    }
    const gradients = [a, b].map((w) => Number(/after (\d+) gradients/.exec(w.out)![1]));
    assert.equal(gradients[0] + gradients[1], 30, 'the two workers computed the 30 applied gradients between them');
    const run = loadRun(out);
    assert.equal(run.record.engine, 'ps');
    assert.equal(run.record.status, 'finished');
    assert.deepEqual([run.record.summary?.workers_joined, run.record.summary?.local_workers], [2, 0]);
    assert.ok(!readFileSync(join(out, 'run.json'), 'utf8').includes(token), 'the token is not saved');
  } finally {
    if (before === undefined) delete process.env[TOKEN_ENV];
    else process.env[TOKEN_ENV] = before;
  }
});

test('serve and join refuse bad input with the field and exit 2; a wrong token exits 3', async () => {
  const serve = await cli('serve', '--engine', 'sim', '--objective', 'quadratic', '--steps', '3', '--lr', '0.1', '--out', '/tmp/x');
  assert.equal(serve.code, 2);
  assert.match(serve.err, /--engine: serve runs the parameter server \(engine ps\), got "sim"/);
  const listen = await cli('run', '--engine', 'threads', '--listen', '0.0.0.0', '--objective', 'quadratic', '--steps', '3', '--lr', '0.1', '--out', '/tmp/x');
  assert.equal(listen.code, 2);
  assert.match(listen.err, /--listen: not for --engine threads/);
  const endpoint = await cli('join', 'localhost:5555', '--token', 'abcdefgh');
  assert.equal(endpoint.code, 2);
  assert.match(endpoint.err, /endpoint: got "localhost:5555"; expected tcp:\/\/HOST:PORT/);
  const before = process.env[TOKEN_ENV];
  delete process.env[TOKEN_ENV];
  try {
    const missing = await cli('join', 'tcp://127.0.0.1:5555');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--token: required \(or set STALELAB_PS_TOKEN\)/);
  } finally {
    if (before !== undefined) process.env[TOKEN_ENV] = before;
  }
  const port = await freePort();
  process.env[TOKEN_ENV] = 'the-right-token-42';
  try {
    const server = cli('serve', '--objective', 'quadratic', '--workers', '1', '--steps', '5', '--lr', '0.05', '--port', String(port), '--out', mkdtempSync(join(tmpdir(), 'stalelab-serve-')), '--no-progress');
    const wrong = await cli('join', `tcp://127.0.0.1:${port}`, '--token', 'not-the-right-token');
    assert.equal(wrong.code, 3);
    assert.match(wrong.err, /the server refused this worker: wrong token/);
    const right = await cli('join', `tcp://127.0.0.1:${port}`);
    assert.equal(right.code, 0, right.err);
    assert.equal((await server).code, 0);
  } finally {
    if (before === undefined) delete process.env[TOKEN_ENV];
    else process.env[TOKEN_ENV] = before;
  }
});
