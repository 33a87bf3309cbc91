import { makeRule } from '../src/rules/makeRule.ts';
import { NAMED_RULES } from '../src/rules/namedRules.ts';
import { parseRuleSpec } from '../src/rules/ruleSpec.ts';
import { thetaKernels } from '../src/rules/bases/thetaOps.ts';
import { median, type FigureLog } from './figures.ts';

/**
 * What the master pays per update for each built-in rule, the gradient aside: one send and one
 * receive (the rule's transforms, step and gap statistic) on D floats, N = 32 workers, after a
 * warm-up. On the simulated cluster this is the share no compute thread can take over; beside a
 * 0.4 ms blas gradient of MLP 784-128-10 (D = 101,770) it decides how far the cores help.
 */
export function rulePasses(log: FigureLog, dim: number, rounds: number): void {
  const kernels = thetaKernels();
  console.log(`\n== Rule passes per update (send + receive, D = ${dim}, N = 32, θ passes: ${kernels})`);
  const g = new Float32Array(dim).map((_, j) => Math.sin(j) * 1e-2);
  const x = new Float32Array(dim);
  const work = new Float32Array(dim);
  for (const name of Object.keys(NAMED_RULES)) {
    const rule = makeRule(parseRuleSpec(name), new Float32Array(dim).fill(0.1), 32);
    const once = (i: number) => {
      rule.send(i % 32, 0.01, x);
      work.set(g);
      rule.receive(i % 32, x, work, { tau: 1 + (i % 7), lr: 0.01 });
    };
    for (let i = 0; i < 40; i++) once(i);
    const perRound: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 100; i++) once(i);
      perRound.push((performance.now() - t0) / 100);
    }
    log.add({ name: `rule_pass.${name}.D${dim}`, backend: kernels, value: median(perRound), unit: 'ms/update', note: `median of ${rounds} rounds of 100 sends and receives` });
  }
}
