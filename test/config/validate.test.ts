import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../../src/config/validate.ts';

const schema = z
  .object({
    lr: z.number().positive(),
    timing: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('gamma'), shape: z.number().positive() }).strict(),
      z.object({ kind: z.literal('round-robin') }).strict(),
    ]),
    model: z.object({ name: z.string(), widths: z.array(z.number().int()).optional() }).strict().optional(),
  })
  .strict();

function messageOf(input: unknown): string {
  try {
    parseConfig(schema, input, 'config');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.message;
  }
  assert.fail('expected a ConfigError');
}

test('an unknown top-level field lists the top-level fields', () => {
  const m = messageOf({ lr: 0.1, timing: { kind: 'round-robin' }, lrate: 1 });
  assert.match(m, /config: unknown field "lrate"; allowed fields: lr, timing, model/);
});

test('an unknown nested field lists the fields allowed where it is', () => {
  const m = messageOf({ lr: 0.1, timing: { kind: 'round-robin' }, model: { name: 'mlp', width: [3] } });
  assert.match(m, /config\.model: unknown field "width"; allowed fields: name, widths/);
});

test('an unknown field in a union member lists that member\'s fields', () => {
  const m = messageOf({ lr: 0.1, timing: { kind: 'gamma', shape: 2, mean: 1 } });
  assert.match(m, /config\.timing: unknown field "mean"; allowed fields: kind, shape/);
});

test('out-of-range values name the field; every problem is reported at once', () => {
  const m = messageOf({ lr: -1, timing: { kind: 'poisson' } });
  assert.match(m, /config\.lr: /);
  assert.match(m, /config\.timing\.kind: .*gamma.*round-robin/);
});

test('a run config reports the problems of its nested objects and of its top level together, once each', async () => {
  const { parseRunConfig } = await import('../../src/run/parseRunConfig.ts');
  const bad = {
    rule: 'ga-momentun',
    timing: { kind: 'gamma', shap: 3 },
    objective: { name: 'quadratic', dim: 3, noize: 1 },
    steps: 10,
  };
  const err = await parseRunConfig(bad).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof ConfigError);
  const lines = err.message.split('\n').slice(1).map((l) => l.trim());
  assert.ok(lines.some((l) => /^config\.rule: got "ga-momentun"; allowed rule names:/.test(l)), err.message);
  assert.ok(lines.some((l) => /^config\.lr: required/.test(l)), err.message);
  assert.ok(lines.some((l) => /^config\.timing: unknown field "shap"; allowed fields: kind, shape/.test(l)), err.message);
  assert.ok(lines.some((l) => /^config\.objective: unknown field "noize"; allowed fields: name, dim, hMin, hMax, noise/.test(l)), err.message);
  assert.equal(new Set(lines).size, lines.length, 'no problem is reported twice');
});
