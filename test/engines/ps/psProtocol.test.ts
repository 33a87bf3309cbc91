import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Dealer } from 'zeromq';
import { runExperiment } from '../../../src/run/runExperiment.ts';
import { parseRunConfig } from '../../../src/run/parseRunConfig.ts';
import { ConfigError } from '../../../src/config/validate.ts';
import { spawnPsWorker, TOKEN_ENV } from '../../../src/engines/ps/spawnPsWorker.ts';
import { decodeMessage, encodeMessage, MAX_HEADER_BYTES, PS_PROTOCOL, readFloats, serverHeaderSchema, workerHeaderSchema } from '../../../src/engines/ps/psFrames.ts';
import { freePort, workerPids } from './psProcesses.ts';

const DIM = 20;

async function ask(d: Dealer, frames: Buffer[]): Promise<{ type: string; reason?: string; worker?: number }> {
  await d.send(frames);
  const m = decodeMessage(await d.receive(), serverHeaderSchema, DIM, 1 << 20);
  assert.ok(m.ok, 'the server answers with a well-formed message');
  return m.header as { type: string; reason?: string; worker?: number };
}

test('on loopback: a wrong token is refused, garbage and a malformed push are rejected (counted), a late worker joins, and the run finishes', async () => {
  const port = await freePort();
  const token = randomBytes(18).toString('base64url');
  const before = process.env[TOKEN_ENV];
  process.env[TOKEN_ENV] = token;
  const steps = 60;
  // 3 slots: one local worker, the test's own DEALER, one worker process started later; the run starts when all three joined.
  const run = runExperiment({ engine: 'ps', workers: 3, localWorkers: 1, port, objective: { name: 'quadratic', dim: DIM }, lr: 0.05, steps, batchSize: 4, workerTimeoutSec: 60 });
  const endpoint = `tcp://127.0.0.1:${port}`;
  const rogue = new Dealer({ receiveTimeout: 30_000, linger: 0 });
  const fake = new Dealer({ receiveTimeout: 30_000, linger: 0 });
  try {
    rogue.connect(endpoint);
    const push = (extra: object) => ({ type: 'push', token, worker: 0, version: 0, batch: 0, dim: DIM, dtype: 'float32', loss: 1, computeSec: 0, delaySec: 0, commSec: 0, ...extra });
    const garbage: [Buffer[], RegExp][] = [
      [[Buffer.from('\x00\xffnot json')], /header is not JSON/],
      [[Buffer.from(JSON.stringify({ type: 'pull' }))], /invalid header: token/],
      [[Buffer.alloc(MAX_HEADER_BYTES + 1, 32)], /header of \d+ bytes exceeds/],
      [[Buffer.from('{}'), Buffer.alloc(4), Buffer.alloc(4)], /expected 1 or 2 frames, got 3/],
      [encodeMessage(push({ dtype: 'float64' }), new Float32Array(DIM)), /dtype "float64"/],
      [[...encodeMessage(push({}), new Float32Array(DIM)).slice(0, 1), Buffer.alloc(4 * DIM + 4)], /payload of \d+ bytes; expected 4 × 20/],
      [encodeMessage(push({}), new Float32Array(DIM)), /push from a peer that has not joined/],
    ];
    for (const [frames, reason] of garbage) {
      const reply = await ask(rogue, frames);
      assert.equal(reply.type, 'reject');
      assert.match(reply.reason!, reason);
    }

    const wrong = spawnPsWorker({ endpoint, token: `${token}x` });
    const refused = await wrong.exited;
    assert.equal(refused.code, 3, wrong.stderr());
    assert.match(wrong.stderr(), /refused this worker: wrong token/);

    fake.connect(endpoint);
    const welcome = await ask(fake, encodeMessage({ type: 'hello', protocol: PS_PROTOCOL, token, pid: process.pid, host: 'test' }));
    assert.equal(welcome.type, 'welcome');
    const slot = welcome.worker!;
    const late = spawnPsWorker({ endpoint, token });
    // The run starts once the late worker joined; then the fake worker gets parameters and pushes too many bytes.
    await fake.send(encodeMessage({ type: 'pull', token, worker: slot }));
    const params = decodeMessage(await fake.receive(), serverHeaderSchema, DIM, 1 << 20);
    assert.ok(params.ok && params.header.type === 'params');
    const h = params.header as { version: number; batch: number };
    const reply = await ask(fake, [Buffer.from(JSON.stringify(push({ worker: slot, version: h.version, batch: h.batch, dim: DIM + 1 }))), Buffer.alloc(4 * (DIM + 1))]);
    assert.deepEqual([reply.type, reply.reason], ['reject', `dim ${DIM + 1}; this run's vectors have ${DIM}`]);

    const r = await run;
    assert.equal(r.record.status, 'finished', r.record.message);
    const s = r.record.summary;
    assert.equal(s.updates, steps);
    assert.equal(s.rejected_frames, garbage.length + 1, 'every bad message was counted');
    assert.equal(s.refused_workers, 1);
    assert.deepEqual([s.workers_joined, s.workers_left, s.dropped_gradients], [3, 1, 1], 'the worker that sent the malformed push was let go, its gradient dropped');
    assert.ok(!(r.updates.array('worker') as number[]).includes(slot), 'nothing of the malformed push was applied');
    assert.equal((await late.exited).code, 0, late.stderr());
    assert.ok(!JSON.stringify(r.record).includes(token), 'the token is not in the run record');
    assert.deepEqual(workerPids(), []);
  } finally {
    rogue.close();
    fake.close();
    if (before === undefined) delete process.env[TOKEN_ENV];
    else process.env[TOKEN_ENV] = before;
  }
});

test('a worker that goes silent holding parameters is let go after workerTimeoutSec: its gradient dropped, the run finished by the others', async () => {
  const port = await freePort();
  const token = randomBytes(18).toString('base64url');
  const before = process.env[TOKEN_ENV];
  process.env[TOKEN_ENV] = token;
  const run = runExperiment({ engine: 'ps', workers: 2, localWorkers: 1, port, objective: { name: 'quadratic', dim: DIM }, lr: 0.05, steps: 200, batchSize: 4, workerTimeoutSec: 2, delay: { kind: 'constant', ms: 5 } });
  const silent = new Dealer({ receiveTimeout: 30_000, linger: 0 });
  try {
    silent.connect(`tcp://127.0.0.1:${port}`);
    const welcome = await ask(silent, encodeMessage({ type: 'hello', protocol: PS_PROTOCOL, token, pid: process.pid, host: 'test' }));
    assert.equal(welcome.type, 'welcome');
    const params = await ask(silent, encodeMessage({ type: 'pull', token, worker: welcome.worker! }));
    assert.equal(params.type, 'params');
    // Hold the parameters and say nothing: the server stops waiting for this worker.
    const stop = decodeMessage(await silent.receive(), serverHeaderSchema, DIM, 1 << 20);
    assert.ok(stop.ok && stop.header.type === 'stop');
    assert.match((stop.header as { reason: string }).reason, /silent for more than 2 s/);
    const r = await run;
    assert.equal(r.record.status, 'finished', r.record.message);
    const s = r.record.summary;
    assert.deepEqual([s.updates, s.timed_out_workers, s.dropped_gradients, s.workers_left], [200, 1, 1, 1]);
  } finally {
    silent.close();
    if (before === undefined) delete process.env[TOKEN_ENV];
    else process.env[TOKEN_ENV] = before;
  }
});

test('a worker joins a running run, pushes five gradients and leaves: they are applied with their τ, its last parameters are dropped', async () => {
  const port = await freePort();
  const token = randomBytes(18).toString('base64url');
  const before = process.env[TOKEN_ENV];
  process.env[TOKEN_ENV] = token;
  let running!: () => void;
  const startedRun = new Promise<void>((resolve) => (running = resolve));
  const run = runExperiment(
    { engine: 'ps', workers: 2, localWorkers: 1, startWith: 1, port, objective: { name: 'quadratic', dim: DIM }, lr: 0.05, steps: 300, batchSize: 4, delay: { kind: 'constant', ms: 5 } },
    { progressIntervalSec: 0, onProgress: (p) => p.step > 10 && running() },
  );
  const late = new Dealer({ receiveTimeout: 30_000, linger: 1000 });
  try {
    await startedRun;
    late.connect(`tcp://127.0.0.1:${port}`);
    const welcome = await ask(late, encodeMessage({ type: 'hello', protocol: PS_PROTOCOL, token, pid: process.pid, host: 'test' }));
    assert.equal(welcome.type, 'welcome');
    const slot = welcome.worker!;
    const pulled: number[] = [];
    let m = await ask(late, encodeMessage({ type: 'pull', token, worker: slot }));
    for (let k = 0; k < 5; k++) {
      const p = m as unknown as { type: string; version: number; batch: number };
      assert.equal(p.type, 'params');
      pulled.push(p.version);
      const push = { type: 'push', token, worker: slot, version: p.version, batch: p.batch, dim: DIM, dtype: 'float32', loss: 1, computeSec: 0.001, delaySec: 0, commSec: 0.001 };
      m = await ask(late, encodeMessage(push, new Float32Array(DIM)));
    }
    await late.send(encodeMessage({ type: 'bye', token, worker: slot, error: null }));
    const r = await run;
    assert.equal(r.record.status, 'finished', r.record.message);
    const s = r.record.summary;
    assert.deepEqual([s.updates, s.workers_joined, s.workers_left, s.dropped_gradients], [300, 2, 1, 1]);
    const mine = (r.updates.objects() as { worker: number; step: number; staleness: number; pull_version: number }[]).filter((u) => u.worker === slot);
    assert.equal(mine.length, 5, 'its five gradients were applied');
    assert.deepEqual(mine.map((u) => u.pull_version), pulled, 'at the versions it was sent');
    assert.ok(mine.every((u) => u.staleness === u.step - 1 - u.pull_version));
    assert.ok(pulled[0] > 10, 'it joined a run already under way');
  } finally {
    late.close();
    if (before === undefined) delete process.env[TOKEN_ENV];
    else process.env[TOKEN_ENV] = before;
  }
});

test('a payload is copied out of its frame whatever its byte offset, and a non-finite entry is reported', () => {
  const values = Float32Array.from({ length: 7 }, (_, i) => i * 1.25 - 3);
  for (const offset of [0, 1, 3]) {
    const frame = Buffer.alloc(offset + values.byteLength).subarray(offset);
    frame.set(new Uint8Array(values.buffer));
    const out = new Float32Array(values.length);
    assert.equal(readFloats(frame, out), true);
    assert.deepEqual(out, values, `offset ${offset}`);
  }
  const bad = Float32Array.from([1, NaN, 2]);
  assert.equal(readFloats(Buffer.from(bad.buffer), new Float32Array(3)), false);
  const m = decodeMessage(encodeMessage({ type: 'bye', token: 't', worker: 0, error: null }), workerHeaderSchema, 3);
  assert.ok(m.ok && m.payload === null);
});

test('ps configs are checked: fields name what is wrong and what is allowed', async () => {
  const ok = { engine: 'ps', objective: 'quadratic', lr: 0.1, steps: 10, workers: 2 };
  await parseRunConfig(ok);
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ localWorkers: 3 }, /config\.localWorkers: at most workers \(2\), got 3/],
    [{ startWith: 5 }, /config\.startWith: at most workers \(2\)/],
    [{ listen: 'my host!' }, /config\.listen: got "my host!"; expected an IPv4 address/],
    [{ listen: '300.1.1.1' }, /config\.listen/],
    [{ port: 70000 }, /config\.port/],
    [{ straggler: { worker: 2, factor: 4 } }, /config\.straggler\.worker: worker 2 does not exist \(workers: 2, ids 0\.\.1\)/],
    [{ straggler: { worker: 0, factor: 0.5 } }, /config\.straggler\.factor/],
    [{ delay: { kind: 'lognormal' } }, /config\.delay\.kind: got "lognormal"; allowed values: "none", "constant", "gamma"/],
    [{ delay: { kind: 'gamma' } }, /config\.delay\.meanMs: required/],
    [{ timing: 'gamma' }, /config\.timing: only for engine "sim"/],
    [{ sync: 'lock' }, /config\.sync: only for engine "threads"/],
    [{ steps: undefined }, /config\.steps: the run needs a budget/],
    [{ objective: undefined }, /config\.model: required/],
  ];
  for (const [change, message] of cases) {
    await assert.rejects(parseRunConfig({ ...ok, ...change }), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(change));
  }
  await assert.rejects(
    runExperiment({ ...ok, engine: 'ps' }, undefined, { oracle: (await import('../../../src/oracle/builtinObjectives.ts')).builtinObjectiveOracle({ name: 'quadratic', dim: 3, hMin: 0.1, hMax: 1, noise: 0, theta0: 0, trainSize: 10 }, 0) }),
    /an oracle object cannot be used by engine "ps"/,
  );
});
