import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as aq from 'arquero';
import { atMatchedStaleness } from '../../src/results/matchedStaleness.ts';

const opts = { cell: ['rule', 'sync'], match: ['rule'], metric: 'final_test_accuracy', diverged: 0.1 };
const sim = aq.from([
  { rule: 'ga', workers: 2, status: 'finished', staleness_mean: 1, final_test_accuracy: 0.9 },
  { rule: 'ga', workers: 2, status: 'finished', staleness_mean: 1, final_test_accuracy: 0.8 },
  { rule: 'ga', workers: 4, status: 'finished', staleness_mean: 3, final_test_accuracy: 0.7 },
  { rule: 'ga', workers: 4, status: 'diverged', staleness_mean: 3, final_test_accuracy: null },
  { rule: 'sa', workers: 2, status: 'finished', staleness_mean: 1, final_test_accuracy: 0.5 },
]);

test('atMatchedStaleness interpolates the sim metric at the measured mean τ, diverged runs counting as given', () => {
  const measured = aq.from([
    { rule: 'ga', sync: 'lock', workers: 4, status: 'finished', staleness_mean: 1.5, final_test_accuracy: 0.6 },
    { rule: 'ga', sync: 'lock', workers: 4, status: 'finished', staleness_mean: 2.5, final_test_accuracy: 0.8 },
    { rule: 'sa', sync: 'hogwild', workers: 8, status: 'finished', staleness_mean: 4, final_test_accuracy: 0.4 },
  ]);
  const rows = atMatchedStaleness(measured, sim, opts).objects() as Record<string, number | string | boolean>[];
  const ga = rows.find((r) => r.rule === 'ga')!;
  // measured τ = 2: halfway between the sim cells at τ = 1 (0.85) and τ = 3 ((0.7 + 0.1) / 2 = 0.4).
  assert.equal(ga.staleness_mean, 2);
  assert.ok(Math.abs((ga.sim_final_test_accuracy as number) - 0.625) < 1e-12);
  assert.ok(Math.abs((ga.difference as number) - (0.7 - 0.625)) < 1e-12);
  assert.equal(ga.sim_extrapolated, false);
  assert.deepEqual([ga.sim_workers_below, ga.sim_workers_above], [2, 4]);
  const sa = rows.find((r) => r.rule === 'sa')!;
  assert.equal(sa.sim_extrapolated, true, 'τ = 4 lies beyond the one sim cell');
  assert.equal(sa.sim_final_test_accuracy, 0.5);
});

test('atMatchedStaleness names a missing column and a missing sim rule', () => {
  const measured = aq.from([{ rule: 'dana-zero', sync: 'lock', workers: 2, status: 'finished', staleness_mean: 1, final_test_accuracy: 0.9 }]);
  assert.throws(() => atMatchedStaleness(measured, sim, opts), /sim runs: none with rule = dana-zero/);
  assert.throws(() => atMatchedStaleness(measured.select('rule', 'workers', 'status', 'staleness_mean', 'final_test_accuracy'), sim, opts), /measured runs: has no column "sync"/);
  const failed = aq.from([{ rule: 'ga', sync: 'lock', workers: 2, status: 'failed', staleness_mean: 1, final_test_accuracy: null }]);
  assert.throws(() => atMatchedStaleness(failed, sim, opts), /status "failed" and no final_test_accuracy/);
});

test('matchedStalenessFigure: a dashed sim line per rule and one marker trace per rule and mode', async () => {
  const { matchedStalenessFigure } = await import('../../src/plot/matchedStalenessFigure.ts');
  const measured = aq.from([
    { rule: 'ga', sync: 'lock', workers: 2, status: 'finished', staleness_mean: 1.2, final_test_accuracy: 0.8 },
    { rule: 'ga', sync: 'hogwild', workers: 2, status: 'finished', staleness_mean: 0.4, final_test_accuracy: 0.85 },
    { rule: 'sa', sync: 'lock', workers: 2, status: 'diverged', staleness_mean: 1.1, final_test_accuracy: null },
  ]);
  const fig = matchedStalenessFigure(measured, sim, { rule: 'rule', mode: 'sync', metric: { column: 'final_test_accuracy', title: 'accuracy' }, diverged: 0.1 });
  assert.deepEqual(fig.data.map((t) => t.name), ['ga · sim', 'ga · lock', 'ga · hogwild', 'sa · sim', 'sa · lock']);
  assert.deepEqual(fig.data[0].x, [1, 3]);
  assert.deepEqual(fig.data[0].y.map((v) => Number(v.toFixed(12))), [0.85, 0.4]);
  assert.deepEqual(fig.data[4].y, [0.1], 'the diverged run counts as chance');
  assert.equal((fig.data[0].line as { dash: string }).dash, 'dash');
});
