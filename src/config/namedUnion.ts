import { z } from 'zod';
import { problemsOf } from './validate.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface NamedUnionOptions {
  /** A bare string stands for `{ [tag]: string }` (a member with its defaults). */
  bareName?: boolean;
  /** What the members are, for messages ("a model", "a timing kind"). */
  what: string;
}

/**
 * A union of strict object schemas told apart by one field, validated as a reader means it: a
 * bare name stands for that member with its defaults, an unknown name lists the allowed ones, and
 * a known name is checked against that member alone, so an unknown field lists *that* member's
 * fields. `members` may be a function, for registries that grow at run time (user rules).
 */
export function namedUnion<M extends Record<string, z.ZodType>>(
  tag: string,
  members: M | (() => M),
  opts: NamedUnionOptions,
): z.ZodType<z.output<M[keyof M]>, z.input<M[keyof M]> | (string & {})> {
  const schema = z.unknown().transform((input, ctx) => {
    const all = typeof members === 'function' ? members() : members;
    const names = Object.keys(all);
    const list = names.map((n) => `"${n}"`).join(', ');
    const value = opts.bareName && typeof input === 'string' ? { [tag]: input } : input;
    if (!isObject(value)) {
      const expected = opts.bareName ? `${opts.what}: a name (${list}) or an object with a "${tag}" field` : `${opts.what}: an object with a "${tag}" field (${list})`;
      ctx.issues.push({ code: 'custom', message: `expected ${expected}`, input });
      return z.NEVER;
    }
    const name = value[tag];
    if (typeof name !== 'string' || !Object.hasOwn(all, name)) {
      const got = name === undefined ? 'nothing' : JSON.stringify(name);
      ctx.issues.push({ code: 'custom', path: [tag], message: `got ${got}; allowed values: ${list}`, input });
      return z.NEVER;
    }
    const r = problemsOf(all[name], value);
    if (r.ok) return r.data as z.output<M[keyof M]>;
    for (const p of r.problems) ctx.issues.push({ code: 'custom', path: p.path, message: p.message, input });
    return z.NEVER;
  });
  return schema as unknown as z.ZodType<z.output<M[keyof M]>, z.input<M[keyof M]> | (string & {})>;
}
