import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runThreads } from '../../../src/engines/threads/runThreads.ts';
import { liveThreadWorkers } from '../../../src/engines/threads/workerGang.ts';
import { ConfigError } from '../../../src/config/validate.ts';

test('an exception in one worker stops all: the run ends failed with its message and the rows so far; no worker is left', async () => {
  const budget = 10_000_000;
  for (const sync of ['lock', 'hogwild', 'leashed'] as const) {
    const r = await runThreads({ sync, workers: 3, lr: 0.5, steps: budget, objective: { name: 'failing', dim: 100, worker: 1, afterGradients: 20 } });
    assert.equal(r.record.status, 'failed');
    assert.match(r.record.message!, /^thread 1: failing objective: throws on gradient 20/);
    assert.equal(liveThreadWorkers(), 0, `${sync}: every worker exited`);
    const applied = r.record.summary.applied as number;
    assert.ok(applied < budget, `${sync}: stopped on the error, not at the budget`);
    assert.equal(r.updates.numRows(), applied, 'the rows applied before the error are kept');
  }
});

test('abort stops and joins every thread and keeps the finished rows (status interrupted)', async () => {
  for (const sync of ['lock', 'leashed'] as const) {
    const ac = new AbortController();
    const progress: number[] = [];
    const run = runThreads(
      { sync, workers: 3, lr: 0.5, steps: 10_000_000, evalEvery: 500, objective: { name: 'constant-gradient', dim: 500, c: 2, spinMicros: 20 } },
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
    const n = r.updates.numRows();
    assert.ok(n < 10_000_000, 'stopped on the abort, not at the budget');
    assert.ok(n > 0, 'finished rows are kept');
    // Every applied update was logged, and nothing was lost on the way out.
    assert.equal(r.record.summary!.applied, n);
    assert.ok(r.theta!.every((v) => v === -n));
    assert.ok(progress.length > 0 && progress[progress.length - 1] === n);
    assert.ok(r.evals.numRows() >= 2, 'start and final evaluations at least (one split)');
  }
});

test('a signal aborted before the start returns an empty interrupted run', async () => {
  const ac = new AbortController();
  ac.abort();
  const r = await runThreads({ sync: 'hogwild', workers: 2, lr: 0.1, steps: 1000, objective: { name: 'quadratic', dim: 10 } }, { signal: ac.signal });
  assert.equal(r.record.status, 'interrupted');
  assert.equal(r.updates.numRows(), 0);
  assert.equal(liveThreadWorkers(), 0);
});

test('bad configs are ConfigErrors naming the field', async () => {
  const ok = { sync: 'lock', workers: 2, lr: 0.1, steps: 10, objective: { name: 'quadratic', dim: 3 } };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...ok, sync: 'locked' }, /config\.sync.*"lock"\|"hogwild"\|"leashed"/],
    [{ ...ok, thread: 2 }, /unknown field "thread"/],
    [{ ...ok, threads: 2 }, /config\.threads: removed in stalelab 0\.2: the number of worker threads is workers/],
    [{ ...ok, timing: 'gamma' }, /config\.timing: only for engine "sim" \(this run uses engine "threads"\)/],
    [{ ...ok, rule: 'ssgd' }, /config\.rule: sync \(SSGD\) barrier rounds run in the simulator/],
    [{ ...ok, persistence: 3 }, /config\.persistence: applies only to sync "leashed"/],
    [{ ...ok, steps: undefined }, /config\.steps: the run needs a budget/],
    [{ ...ok, objective: undefined }, /config\.model: required/],
    [{ ...ok, objective: { name: 'quadratic', dim: 3, noise: -1 } }, /config\.objective\.noise/],
    [{ ...ok, objective: { name: 'cubic', dim: 3 } }, /config\.objective\.name/],
    [{ ...ok, rule: { base: 'sgd', transforms: [{ name: 'staleness-step', kind: 'tail-tau', cdf: 'exact' }] } }, /config\.rule\.transforms\[0\]\.cdf/],
    [{ ...ok, target: { metric: 'test_accuracy', value: 0.9 } }, /config\.target\.metric: built-in objectives have no accuracy/],
    [{ ...ok, workers: 0 }, /config\.workers/],
    [{ ...ok, workers: 128 }, /config\.workers: the threads engine runs at most 127/],
  ];
  for (const [cfg, pattern] of cases) {
    await assert.rejects(runThreads(cfg as never), (e: Error) => e instanceof ConfigError && pattern.test(e.message), JSON.stringify(cfg));
  }
  assert.equal(liveThreadWorkers(), 0);
});
