import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Write a user transform module as a researcher would (a staleness penalty g ← g / (1 + τ)^power,
 * export `tauPenalty`) into `dir` and return its path; `name` is the transform's registered name.
 */
export function writeTauPenaltyModule(dir: string, name: string): string {
  const path = join(dir, 'tauPenalty.ts');
  writeFileSync(path, [
    '// A staleness penalty written as a module: g ← g / (1 + τ)^power.',
    'export const tauPenalty = {',
    `  name: ${JSON.stringify(name)},`,
    '  params: { power: 0.5 },',
    '  stalenessOnly: true,',
    '  apply(_s: unknown, g: Float32Array, ctx: { tau: number }, p: { power: number }) {',
    '    const d = Math.pow(1 + ctx.tau, p.power);',
    '    for (let j = 0; j < g.length; j++) g[j] /= d;',
    '    return { divisorMean: d, divisorMax: d };',
    '  },',
    '};',
  ].join('\n'));
  return path;
}
