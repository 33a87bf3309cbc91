import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as aq from 'arquero';
import { bestStepSizes, scaledLearningRates, stepSizeStudyTable } from '../../src/results/stepSizeStudy.ts';
import { sweep } from '../../src/sweep/sweep.ts';

test('scaledLearningRates rounds away binary noise', () => {
  assert.deepEqual(scaledLearningRates(0.05, [0.1, 0.25]), [0.005, 0.0125]);
});

test('a step-size study joins the main runs at one N with reruns over η, and picks the best η per rule', async () => {
  // Real runs: logistic regression on an MNIST subset, N = 4 workers, η = 0.4 for the main sweep,
  // reruns at η/4 and η/10.
  const base = {
    model: 'logreg', dataset: { name: 'mnist', trainSize: 512, testSize: 256 }, backend: 'wasm',
    steps: 40, batchSize: 16, timing: { kind: 'round-robin' }, evalEvery: 20, lr: 0.4, rule: 'asgd', workers: 1,
  };
  const rules = ['asgd', 'momentum-asgd'];
  const main = await sweep({ base, vary: { rule: rules, workers: [1, 4], seed: [0, 1] } } as never);
  const reruns = await sweep({ base: { ...base, workers: 4 }, vary: { rule: rules, 'lr': scaledLearningRates(0.4, [0.1, 0.25]), seed: [0, 1] } } as never);
  const study = stepSizeStudyTable(main.runs, reruns.runs, { workers: 4, rules, lr: 0.4 });
  assert.equal(study.numRows(), 2 * 3 * 2, 'rules × η × seeds');
  assert.deepEqual([...new Set(study.array('lr') as number[])].sort(), [0.04, 0.1, 0.4]);
  const best = bestStepSizes(study, rules, 0.1);
  for (const b of best) {
    assert.deepEqual(b.byLr.map((x) => x.lr), [0.04, 0.1, 0.4]);
    assert.ok(b.byLr.every((x) => x.mean > 0.1 && x.mean <= 1), `${b.rule}: real accuracies ${b.byLr.map((x) => x.mean)}`);
    assert.equal(b.best.mean, Math.max(...b.byLr.map((x) => x.mean)));
    b.byLr.forEach((x) => assert.equal(x.runs, 2));
  }
});

test('diverged runs count as chance; a missing rule, lr column or accuracy is a clear error', () => {
  const t = aq.table({
    rule: ['a', 'a', 'a', 'a'], seed: [0, 1, 0, 1], lr: [0.1, 0.1, 1, 1],
    status: ['finished', 'finished', 'finished', 'diverged'], final_test_accuracy: [0.5, 0.7, 0.9, null],
  });
  const [a] = bestStepSizes(t, ['a'], 0.1);
  assert.deepEqual(a.byLr.map((x) => [x.lr, Number(x.mean.toFixed(6)), x.diverged]), [[0.1, 0.6, 0], [1, 0.5, 1]]);
  assert.deepEqual(a.best, { lr: 0.1, mean: 0.6 }, 'the diverging η loses though its finished seed scored 0.9');
  assert.throws(() => bestStepSizes(t, ['b'], 0.1), /no runs of rule "b"/);
  assert.throws(() => stepSizeStudyTable(t, t.select('rule', 'seed', 'status', 'final_test_accuracy'), { workers: 4, rules: ['a'], lr: 1 }), /the reruns need a "lr" column/);
  const noAccuracy = t.derive({ status: aq.escape(() => 'finished') });
  assert.throws(() => bestStepSizes(noAccuracy, ['a'], 0.1), /without a final test accuracy/);
});
