import { InvalidArgumentError } from 'commander';

/** Commander argument parsers that reject bad values with the allowed range, never a NaN default. */
export function numberFlag(what: string, { min, max, integer = false, exclusiveMin = false }: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {}) {
  return (raw: string): number => {
    const v = Number(raw);
    const kind = integer ? 'an integer' : 'a number';
    const range = [min !== undefined ? `${exclusiveMin ? '>' : '≥'} ${min}` : '', max !== undefined ? `≤ ${max}` : ''].filter(Boolean).join(' and ');
    const expected = `expected ${kind}${range ? ` ${range}` : ''} (${what})`;
    if (raw.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) throw new InvalidArgumentError(`got "${raw}"; ${expected}.`);
    if (min !== undefined && (exclusiveMin ? v <= min : v < min)) throw new InvalidArgumentError(`got ${raw}; ${expected}.`);
    if (max !== undefined && v > max) throw new InvalidArgumentError(`got ${raw}; ${expected}.`);
    return v;
  };
}

/**
 * A spec given either by name ("mlp") or as a JSON object ('{"name":"mlp","widths":[64]}'), the
 * object keyed by `key`. Names are checked later by the spec's own schema, which lists the choices.
 */
export function specFlag(key: string) {
  return (raw: string): Record<string, unknown> => {
    const text = raw.trim();
    if (!text.startsWith('{')) {
      if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(text)) throw new InvalidArgumentError(`got "${raw}"; expected a name or a JSON object with a "${key}" field.`);
      return { [key]: text };
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new InvalidArgumentError(`not valid JSON (${(e as Error).message}).`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InvalidArgumentError('expected a JSON object.');
    return value as Record<string, unknown>;
  };
}

/** "test_accuracy=0.9" → { metric, value }; the metric is checked by the engine's schema. */
export function targetFlag(raw: string): { metric: string; value: number } {
  const m = /^([a-z_]+)=(.+)$/.exec(raw.trim());
  if (!m || !Number.isFinite(Number(m[2]))) throw new InvalidArgumentError(`got "${raw}"; expected METRIC=VALUE, e.g. test_accuracy=0.9 or train_loss=0.3.`);
  return { metric: m[1], value: Number(m[2]) };
}
