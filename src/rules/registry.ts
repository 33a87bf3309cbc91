import { z } from 'zod';
import { ConfigError } from '../config/validate.ts';
import { danaSlimBase } from './bases/danaSlim.ts';
import { danaZeroBase } from './bases/danaZero.ts';
import { momentumBase } from './bases/momentum.ts';
import { multiMomentumBase } from './bases/multiMomentum.ts';
import { sgdBase } from './bases/sgd.ts';
import { sendsTheta } from './bases/baseState.ts';
import type { BaseDef, ModuleRef, ParamsSchema, TransformDef } from './ruleTypes.ts';
import { delayCompensationTransform } from './transforms/delayCompensation.ts';
import { gapAwareTransform } from './transforms/gapAware.ts';
import { stalenessAwareTransform } from './transforms/stalenessAware.ts';
import { stalenessStepTransform } from './transforms/stalenessStep.ts';
import { weightDecayTransform } from './transforms/weightDecay.ts';

/** The built-in parts. A new base or transform is one file plus one line here. */
const BUILTIN_BASES: readonly BaseDef<any, any>[] = [sgdBase, momentumBase, multiMomentumBase, danaZeroBase, danaSlimBase];
const BUILTIN_TRANSFORMS: readonly TransformDef<any, any>[] = [
  weightDecayTransform,
  stalenessAwareTransform,
  gapAwareTransform,
  delayCompensationTransform,
  stalenessStepTransform,
];

export interface Registered<D> {
  def: D;
  builtin: boolean;
  /** Where a user definition was loaded from; absent for built-ins and definitions registered in code. */
  module?: ModuleRef;
}

const bases = new Map<string, Registered<BaseDef<any, any>>>(BUILTIN_BASES.map((d) => [d.name, { def: d, builtin: true }]));
const transforms = new Map<string, Registered<TransformDef<any, any>>>(BUILTIN_TRANSFORMS.map((d) => [d.name, { def: d, builtin: true }]));

export const BUILTIN_BASE_NAMES = BUILTIN_BASES.map((d) => d.name);
export const BUILTIN_TRANSFORM_NAMES = BUILTIN_TRANSFORMS.map((d) => d.name);

export const baseNames = (): string[] => [...bases.keys()];
export const transformNames = (): string[] => [...transforms.keys()];
export const registeredBase = (name: string): Registered<BaseDef<any, any>> | undefined => bases.get(name);
export const registeredTransform = (name: string): Registered<TransformDef<any, any>> | undefined => transforms.get(name);

/**
 * A part's parameters as a user may declare them: a zod object schema, or a plain object of
 * defaults ({ scale: 0.5, on: true }) that becomes a strict schema of numbers, booleans and strings
 * with those defaults.
 */
export type ParamsInput = z.ZodType | Record<string, number | boolean | string>;

function paramsSchema(input: ParamsInput | undefined, where: string): ParamsSchema<any> {
  if (input === undefined) return z.object({}).strict();
  if (input instanceof z.ZodType) return input as ParamsSchema<any>;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError(`${where}.params: expected a zod schema or an object of defaults such as { scale: 0.5 }`);
  }
  const shape: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(input)) {
    if (typeof v === 'number') shape[k] = z.number().finite().default(v);
    else if (typeof v === 'boolean') shape[k] = z.boolean().default(v);
    else if (typeof v === 'string') shape[k] = z.string().default(v);
    else throw new ConfigError(`${where}.params.${k}: a default must be a number, boolean or string (use a zod schema for anything else), got ${JSON.stringify(v)}`);
  }
  return z.object(shape).strict() as unknown as ParamsSchema<any>;
}

const NAME = /^[a-z][a-z0-9-]*$/;

function checkCommon(kind: 'base' | 'transform', def: { name?: unknown }, required: readonly string[]): string {
  const where = `register${kind === 'base' ? 'Base' : 'Transform'}`;
  if (typeof def !== 'object' || def === null) throw new ConfigError(`${where}: expected a definition object`);
  const name = def.name;
  if (typeof name !== 'string' || !NAME.test(name)) throw new ConfigError(`${where}.name: expected a kebab-case name such as "my-penalty", got ${JSON.stringify(name)}`);
  for (const f of required) {
    if (typeof (def as Record<string, unknown>)[f] !== 'function') throw new ConfigError(`${where}("${name}").${f}: required, a function`);
  }
  return `${where}("${name}")`;
}

/** A transform as a user writes it: `init` may be left out (stateless), flags default to false. */
export interface TransformDefinition<P extends object = any, S = any> {
  name: string;
  params?: ParamsInput;
  description?: string;
  needsGap?: boolean;
  stalenessOnly?: boolean;
  init?: TransformDef<P, S>['init'];
  apply: TransformDef<P, S>['apply'];
}

/** A base as a user writes it: a base whose state has `theta` and sends it may leave out master/send/gap. */
export interface BaseDefinition<P extends object = any, S extends object = any> {
  name: string;
  params?: ParamsInput;
  description?: string;
  perWorker?: boolean;
  syncable?: boolean;
  init: BaseDef<P, S>['init'];
  step: BaseDef<P, S>['step'];
  buffer?: BaseDef<P, S>['buffer'];
  master?: BaseDef<P, S>['master'];
  send?: BaseDef<P, S>['send'];
  gap?: BaseDef<P, S>['gap'];
  stepWithGap?: BaseDef<P, S>['stepWithGap'];
}

function refuseBuiltin(kind: string, name: string, existing: Registered<unknown> | undefined): void {
  if (existing?.builtin) throw new ConfigError(`register${kind}("${name}"): "${name}" is a built-in ${kind.toLowerCase()}; choose another name`);
}

/**
 * Register a gradient transform under its name, so every rule spec, engine, sweep and the CLI's
 * `--rule` JSON can use it, validated like a built-in. Registering a name again replaces the
 * earlier user definition (a notebook cell run twice); built-in names are refused.
 */
export function registerTransform<P extends object, S>(definition: TransformDefinition<P, S>, opts: { module?: ModuleRef } = {}): TransformDef<P, S> {
  const where = checkCommon('transform', definition, ['apply']);
  refuseBuiltin('Transform', definition.name, transforms.get(definition.name));
  if (definition.init !== undefined && typeof definition.init !== 'function') throw new ConfigError(`${where}.init: expected a function (params, env) => state`);
  const def: TransformDef<P, S> = {
    name: definition.name,
    params: paramsSchema(definition.params, where),
    description: definition.description ?? '',
    needsGap: definition.needsGap ?? false,
    stalenessOnly: definition.stalenessOnly ?? false,
    init: definition.init ?? ((() => null) as unknown as TransformDef<P, S>['init']),
    apply: definition.apply,
  };
  transforms.set(def.name, { def, builtin: false, ...(opts.module ? { module: opts.module } : {}) });
  return def;
}

/** Register a base step under its name (see registerTransform). */
export function registerBase<P extends object, S extends object>(definition: BaseDefinition<P, S>, opts: { module?: ModuleRef } = {}): BaseDef<P, S> {
  const where = checkCommon('base', definition, ['init', 'step']);
  refuseBuiltin('Base', definition.name, bases.get(definition.name));
  const own = ['master', 'send', 'gap'].filter((f) => (definition as unknown as Record<string, unknown>)[f] !== undefined);
  if (own.length > 0 && own.length < 3) throw new ConfigError(`${where}: give all of master, send and gap, or none (then the base sends state.theta)`);
  const theta = sendsTheta as unknown as Pick<BaseDef<P, S>, 'master' | 'send' | 'gap'>;
  const def: BaseDef<P, S> = {
    name: definition.name,
    params: paramsSchema(definition.params, where),
    description: definition.description ?? '',
    perWorker: definition.perWorker ?? false,
    syncable: definition.syncable ?? false,
    init: definition.init,
    step: definition.step,
    buffer: definition.buffer ?? (() => null),
    master: definition.master ?? theta.master,
    send: definition.send ?? theta.send,
    gap: definition.gap ?? theta.gap,
    ...(definition.stepWithGap ? { stepWithGap: definition.stepWithGap } : {}),
  };
  bases.set(def.name, { def, builtin: false, ...(opts.module ? { module: opts.module } : {}) });
  return def;
}
