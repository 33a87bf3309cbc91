import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runThreads } from '../src/threads/runThreads.ts';
import { liveThreadWorkers } from '../src/threads/workerGang.ts';
import { ConfigError } from '../src/config/validate.ts';

test('an exception in one worker stops all and rejects with its message; no worker is left', async () => {
  for (const sync of ['lock', 'hogwild', 'leashed'] as const) {
    const t0 = performance.now();
    await assert.rejects(
      runThreads({ sync, threads: 3, lr: 0.5, seconds: 30, objective: { name: 'failing', dim: 100, thread: 1, afterGradients: 20 } }),
      /^Error: thread 1: failing objective: thread 1 throws on its gradient 20/,
    );
    assert.equal(liveThreadWorkers(), 0, `${sync}: every worker exited`);
    assert.ok(performance.now() - t0 < 10_000, `${sync}: stopped promptly, not at the 30 s budget`);
  }
});

test('abort stops and joins every thread and keeps the finished rows (status interrupted)', async () => {
  for (const sync of ['lock', 'leashed'] as const) {
    const ac = new AbortController();
    const progress: number[] = [];
    const run = runThreads(
      { sync, threads: 3, lr: 0.5, seconds: 60, evalEvery: 500, objective: { name: 'constant-gradient', dim: 500, c: 2, spinMicros: 20 } },
      {
        signal: ac.signal,
        progressIntervalSec: 0.05,
        onProgress: (p) => {
          progress.push(p.step);
          if (p.step > 1000) ac.abort();
        },
      },
    );
    const r = await run;
    assert.equal(r.record.status, 'interrupted');
    assert.equal(liveThreadWorkers(), 0);
    assert.ok(r.record.wallTimeSec < 5, `stopped after ${r.record.wallTimeSec} s`);
    const n = r.updates.numRows();
    assert.ok(n > 0, 'finished rows are kept');
    // Every applied update was logged, and nothing was lost on the way out.
    assert.equal(r.record.summary!.applied, n);
    assert.ok(r.theta!.every((v) => v === -n));
    assert.ok(progress.length > 0 && progress[progress.length - 1] === n);
    assert.ok(r.evals.numRows() >= 4, 'start and final evaluations at least');
  }
});

test('a signal aborted before the start returns an empty interrupted run', async () => {
  const ac = new AbortController();
  ac.abort();
  const r = await runThreads({ sync: 'hogwild', threads: 2, lr: 0.1, updates: 1000, objective: { name: 'quadratic', dim: 10 } }, { signal: ac.signal });
  assert.equal(r.record.status, 'interrupted');
  assert.equal(r.updates.numRows(), 0);
  assert.equal(liveThreadWorkers(), 0);
});

test('bad configs are ConfigErrors naming the field', async () => {
  const ok = { sync: 'lock', threads: 2, lr: 0.1, updates: 10, objective: { name: 'quadratic', dim: 3 } };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...ok, sync: 'locked' }, /config\.sync.*"lock"\|"hogwild"\|"leashed"/],
    [{ ...ok, thread: 2 }, /unknown field "thread"/],
    [{ ...ok, persistence: 3 }, /config\.persistence: applies only to sync "leashed"/],
    [{ ...ok, updates: null }, /config\.updates: the run needs a budget/],
    [{ ...ok, objective: undefined }, /config\.model: required/],
    [{ ...ok, objective: { name: 'quadratic', dim: 3, noise: -1 } }, /config\.objective\.noise/],
    [{ ...ok, objective: { name: 'cubic', dim: 3 } }, /config\.objective\.name/],
    [{ ...ok, stepSize: { kind: 'tail-tau', cdf: 'exact' } }, /config\.stepSize\.cdf/],
    [{ ...ok, target: { metric: 'test_accuracy', value: 0.9 } }, /config\.target\.metric: built-in objectives have no accuracy/],
    [{ ...ok, threads: 0 }, /config\.threads/],
  ];
  for (const [cfg, pattern] of cases) {
    await assert.rejects(runThreads(cfg as never), (e: Error) => e instanceof ConfigError && pattern.test(e.message), JSON.stringify(cfg));
  }
  assert.equal(liveThreadWorkers(), 0);
});
