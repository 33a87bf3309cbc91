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

function fieldName(where: string, path: readonly PropertyKey[]): string {
  const tail = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return `${where}${tail}`;
}

function describe(issue: Issue, where: string, known: (path: readonly PropertyKey[]) => string[]): string {
  const field = fieldName(where, issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    const fields = known(issue.path);
    const allowed = fields.length ? `; allowed fields: ${fields.join(', ')}` : '';
    return `${field}: unknown field ${keys}${allowed}`;
  }
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
    return `${field}: required (expected ${issue.expected})`;
  }
  if (issue.code === 'invalid_value') {
    return `${field}: ${issue.message.replace(/^Invalid option: /, 'got an invalid value; ')}`;
  }
  return `${field}: ${issue.message}`;
}

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
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  const known = (path: readonly PropertyKey[]) => allowedFieldsAt(schema, input, path);
  return { ok: false, problems: result.error.issues.map((i) => describe(i, where, known)) };
}

/** One ConfigError listing every problem of `where`, a line each. */
export function configError(where: string, problems: readonly string[]): ConfigError {
  return new ConfigError(`invalid ${where}:\n  ${problems.join('\n  ')}`);
}
