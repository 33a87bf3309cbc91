import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../config/validate.ts';

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
  const grid = parseConfig(sweepGridSchema, gridInput, 'grid');
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

/** Read and validate a JSON grid file ({ base, vary }); errors name the file and the field. */
export function loadGridFile(path: string): SweepGrid {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`grid file ${path}: ${(e as Error).message}`);
  }
  return parseConfig(sweepGridSchema, raw, `grid file ${path}`) as SweepGrid;
}
