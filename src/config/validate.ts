import type { z } from 'zod';
import { allowedFieldsAt } from './allowedFields.ts';

/** Raised for bad user input: the message names the field and what is allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Issue = z.core.$ZodIssue;

/** One problem of an input: where it is (a path inside the input) and what is wrong there. */
export interface Problem {
  path: PropertyKey[];
  message: string;
}

export function fieldName(where: string, path: readonly PropertyKey[]): string {
  const tail = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return `${where}${tail}`;
}

function describe(issue: Issue, known: (path: readonly PropertyKey[]) => string[]): string {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    const fields = known(issue.path);
    const allowed = fields.length ? `; allowed fields: ${fields.join(', ')}` : '';
    return `unknown field ${keys}${allowed}`;
  }
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return `required (expected ${issue.expected})`;
  if (issue.code === 'invalid_value') return issue.message.replace(/^Invalid option: /, 'got an invalid value; ');
  return issue.message;
}

/** Every problem of `input` against `schema`, with unknown fields listing the fields allowed where they are. */
export function problemsOf<S extends z.ZodType>(schema: S, input: unknown): { ok: true; data: z.output<S> } | { ok: false; problems: Problem[] } {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  const known = (path: readonly PropertyKey[]) => allowedFieldsAt(schema, input, path);
  return { ok: false, problems: result.error.issues.map((i) => ({ path: [...i.path], message: describe(i, known) })) };
}

export const problemLine = (where: string, p: Problem): string => `${fieldName(where, p.path)}: ${p.message}`;

/**
 * Parse `input` with a strict zod object schema, turning every issue into one line that names
 * the field ("config.lr: Too small: expected number to be >0") and, for unknown fields, the
 * allowed ones. Throws ConfigError listing all problems at once.
 */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, where = 'config'): z.output<S> {
  const result = tryParseConfig(schema, input, where);
  if (result.ok) return result.data;
  throw configError(where, result.problems);
}

/** parseConfig without the throw: the parsed value, or one line per problem. */
export function tryParseConfig<S extends z.ZodType>(schema: S, input: unknown, where = 'config'): { ok: true; data: z.output<S> } | { ok: false; problems: string[] } {
  const r = problemsOf(schema, input);
  return r.ok ? r : { ok: false, problems: r.problems.map((p) => problemLine(where, p)) };
}

/** One ConfigError listing every problem of `where`, a line each. */
export function configError(where: string, problems: readonly string[]): ConfigError {
  return new ConfigError(`invalid ${where}:\n  ${problems.join('\n  ')}`);
}
