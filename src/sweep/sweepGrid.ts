import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../config/validate.ts';
import { isYamlPath, parseConfigText } from '../config/configText.ts';

/**
 * A sweep: a base config and, per field (a dotted path such as "lr", "engine" or "timing.shape"), the
 * values to try. Runs are the Cartesian product, in the order the fields and values are listed.
 * The JSON grid file format of the CLI is exactly this object.
 */
export const sweepGridSchema = z
  .object({
    base: z.record(z.string(), z.unknown()),
    vary: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/, 'a field path such as "workers" or "rule.momentum"'), z.array(z.unknown()).min(1)),
  })
  .strict();

/**
 * Validate a grid. zod's records drop an own "__proto__" key (JSON.parse makes one) without a word,
 * so a grid that varies or sets "__proto__" is refused here first instead of losing the field.
 */
function parseGrid(raw: unknown, where: string): SweepGrid {
  if (raw && typeof raw === 'object') {
    for (const part of ['base', 'vary'] as const) {
      const value = (raw as Record<string, unknown>)[part];
      if (value && typeof value === 'object' && Object.hasOwn(value, '__proto__')) {
        throw new ConfigError(`invalid config:\n  ${where}.${part}.__proto__: ${part === 'vary' ? 'not a field path such as "workers" or "rule.momentum"' : 'not a run config field'}`);
      }
    }
  }
  return parseConfig(sweepGridSchema, raw, where) as SweepGrid;
}

export interface SweepGrid {
  /** A run config of any engine (a grid may vary `engine` too). */
  base: Record<string, unknown>;
  vary: Record<string, readonly unknown[]>;
}

/** One run of a sweep: the values of the swept fields and the config they give. */
export interface SweepPoint {
  values: Record<string, unknown>;
  input: Record<string, unknown>;
}

/** JSON with object keys sorted, so equal configs hash equally. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function shortHash(text: string, chars = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, chars);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let obj = target;
  for (const k of keys.slice(0, -1)) {
    const next = obj[k];
    if (next === undefined) obj[k] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      throw new ConfigError(`grid.vary["${path}"]: "${k}" in the base config is not an object, so it has no field "${keys[keys.length - 1]}"`);
    }
    obj = obj[k] as Record<string, unknown>;
  }
  obj[keys[keys.length - 1]] = structuredClone(value);
}

/** The runs of a grid (Cartesian product of the vary lists, first field outermost). */
export function expandGrid(gridInput: SweepGrid): SweepPoint[] {
  const grid = parseGrid(gridInput, 'grid');
  const fields = Object.entries(grid.vary);
  for (const [path, values] of fields) {
    const seen = new Set(values.map((v) => stableJson(v)));
    if (seen.size !== values.length) throw new ConfigError(`grid.vary["${path}"]: lists a value twice`);
  }
  let points: SweepPoint[] = [{ values: {}, input: structuredClone(grid.base) }];
  for (const [path, values] of fields) {
    points = points.flatMap((p) =>
      values.map((v) => {
        const input = structuredClone(p.input);
        setPath(input, path, v);
        return { values: { ...p.values, [path]: v }, input };
      }),
    );
  }
  return points;
}

function valueSlug(v: unknown): string {
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) {
    const s = String(v).replace(/[^A-Za-z0-9.+-]+/g, '-');
    if (s.length <= 24) return s;
  }
  return `h${shortHash(stableJson(v), 6)}`;
}

/**
 * A readable, stable run id: the swept values ("rule=dana-zero_workers=8_seed=0") plus a hash of
 * the whole validated config, so a changed base config never reuses an old run's directory.
 */
export function runIdOf(values: Record<string, unknown>, validatedConfig: unknown): string {
  const parts = Object.entries(values).map(([k, v]) => `${k}=${valueSlug(v)}`);
  const slug = (parts.join('_') || 'run').slice(0, 120);
  return `${slug}-${shortHash(stableJson(validatedConfig))}`;
}

/** Read and validate a JSON or YAML (.yaml/.yml) grid file ({ base, vary }); errors name the file and the field (and the line of a YAML syntax error). */
export function loadGridFile(path: string): SweepGrid {
  let raw: unknown;
  try {
    raw = parseConfigText(readFileSync(path, 'utf8'), path);
  } catch (e) {
    const message = (e as Error).message;
    throw new ConfigError(`grid file ${path}: ${isYamlPath(path) && !(e as NodeJS.ErrnoException).code ? `not valid YAML (${message})` : message}`);
  }
  return parseGrid(raw, `grid file ${path}`);
}
