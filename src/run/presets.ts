import { ConfigError } from '../config/validate.ts';

/**
 * Named protocols: defaults a config takes under `preset`, below the fields it gives itself (a
 * field the config sets wins; an object field the config gives is merged over the preset's when
 * both are of the same kind). The preset's name is kept in the config and the run's summary.
 */
export const PRESET_NAMES = ['authors'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** The rules a preset reads as its own variant (the name a config gives → the rule that runs). */
const AUTHORS_RULES: Record<string, string> = { 'dana-dc': 'dana-dc-authors' };

const DEFAULT_BATCH = 128;

/**
 * The GA / DANA authors' protocol as read from their simulator (docs/PROTOCOL.md): gamma job
 * times of shape 100 and scale B/100 (mean B, CV 0.1: workers finish nearly in turn); a linear
 * warm-up from η/N to η over the first 5/160 of the budget, at least 200 updates; η × 0.1 at 1/2
 * and 3/4 of the budget; DANA-DC as their code does it (`dana-dc-authors`); evaluation at the
 * master θ and at the look-ahead, both logged.
 */
function authorsDefaults(input: Record<string, unknown>): Record<string, unknown> {
  const batch = typeof input.batchSize === 'number' ? input.batchSize : DEFAULT_BATCH;
  return {
    timing: { kind: 'gamma', shape: 100, meanTime: batch },
    lrSchedule: { kind: 'step', milestoneFractions: [0.5, 0.75], factor: 0.1, warmupFraction: 5 / 160, warmupMinUpdates: 200, warmupStartFactor: 'inverse-workers' },
    evalAt: 'both',
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The config's own value over the preset's: objects of the same kind (or without one) merge field by field. */
function over(preset: unknown, own: unknown): unknown {
  if (own === undefined) return preset;
  if (isObject(preset) && isObject(own) && (own.kind === undefined || own.kind === preset.kind)) return { ...preset, ...own };
  if (isObject(preset) && typeof own === 'string' && own === preset.kind) return preset;
  return own;
}

function presetRule(rule: unknown): unknown {
  if (typeof rule === 'string') return AUTHORS_RULES[rule] ?? rule;
  if (isObject(rule) && typeof rule.name === 'string' && rule.base === undefined && AUTHORS_RULES[rule.name]) return { ...rule, name: AUTHORS_RULES[rule.name] };
  return rule;
}

/** The config with its preset's defaults filled in (unchanged without `preset`). */
export function applyPreset(input: Record<string, unknown>, where: string): Record<string, unknown> {
  const name = input.preset;
  if (name === undefined) return input;
  if (typeof name !== 'string' || !(PRESET_NAMES as readonly string[]).includes(name)) {
    throw new ConfigError(`${where}.preset: got ${JSON.stringify(name)}; allowed values: ${PRESET_NAMES.join(', ')}`);
  }
  const defaults = authorsDefaults(input);
  const out: Record<string, unknown> = { ...input };
  for (const [k, v] of Object.entries(defaults)) out[k] = over(v, input[k]);
  if (input.rule !== undefined) out.rule = presetRule(input.rule);
  return out;
}
