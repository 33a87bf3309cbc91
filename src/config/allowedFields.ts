import type { z } from 'zod';

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
  discriminator?: string;
  element?: z.ZodType;
  valueType?: z.ZodType;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional', 'lazy']);

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let guard = 0; guard < 32; guard++) {
    const def = defOf(s);
    if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else break;
  }
  return s;
}

const objectShape = (s: z.ZodType): Record<string, z.ZodType> | undefined => {
  const def = defOf(s);
  return def.type === 'object' ? def.shape : undefined;
};

/** The union member that `value` was meant for: its discriminator matches, else most keys in common. */
function chooseOption(def: Def, value: unknown): z.ZodType | undefined {
  const options = (def.options ?? []).map(unwrap);
  const record = value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  if (!record) return undefined;
  if (def.discriminator) {
    const d = def.discriminator;
    const hit = options.find((o) => objectShape(o)?.[d]?.safeParse(record[d]).success);
    if (hit) return hit;
  }
  let best: z.ZodType | undefined;
  let bestScore = -1;
  for (const o of options) {
    const shape = objectShape(o);
    if (!shape) continue;
    const score = Object.keys(record).filter((k) => k in shape).length;
    if (score > bestScore) [best, bestScore] = [o, score];
  }
  return best;
}

/**
 * The field names an object schema accepts at `path` inside `input`, so an "unknown field" error
 * can list the fields allowed where the mistake is, not at the top level. Empty when the schema
 * there is not an object (or cannot be followed).
 */
export function allowedFieldsAt(schema: z.ZodType, input: unknown, path: readonly PropertyKey[]): string[] {
  let s: z.ZodType | undefined = unwrap(schema);
  let value: unknown = input;
  let i = 0;
  for (let guard = 0; s && guard < 64; guard++) {
    const def = defOf(s);
    if (def.type === 'union') {
      s = chooseOption(def, value);
      continue;
    }
    if (i === path.length) return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
    const key = path[i++];
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
    if (def.type === 'object') s = def.shape?.[String(key)];
    else if (def.type === 'array' || def.type === 'tuple') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else return [];
    s = s && unwrap(s);
  }
  return [];
}
