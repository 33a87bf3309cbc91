import type { BaseStep } from './baseStep.ts';
import { danaSlimStep } from './danaSlimStep.ts';
import { danaZeroStep } from './danaZeroStep.ts';
import { delayCompensation } from './delayCompensation.ts';
import { gapAware } from './gapAware.ts';
import { momentumStep } from './momentumStep.ts';
import { multiMomentumStep } from './multiMomentumStep.ts';
import { nesterovStep } from './nesterovStep.ts';
import type { Penalty } from './penalty.ts';
import type { RuleParams } from './ruleParams.ts';
import { sgdStep } from './sgdStep.ts';
import { stalenessAware } from './stalenessAware.ts';

/** Base steps by name. A new base is one file plus one line here. */
export const BASES = {
  sgd: sgdStep,
  momentum: momentumStep,
  nesterov: nesterovStep,
  'multi-momentum': multiMomentumStep,
  'dana-zero': danaZeroStep,
  'dana-slim': danaSlimStep,
} as const satisfies Record<string, BaseStep<object>>;

/** Gradient transforms ("penalties") by name, applied in the order a rule lists them. */
export const PENALTIES = {
  'staleness-aware': stalenessAware,
  'gap-aware': gapAware,
  'delay-compensation': delayCompensation,
} as const satisfies Record<string, Penalty<object>>;

export type BaseName = keyof typeof BASES;
export type PenaltyName = keyof typeof PENALTIES;

/** A rule as data: a base step, penalties applied in order, and whether it runs in barrier rounds. */
export interface RuleComposition {
  base: BaseName;
  penalties: PenaltyName[];
  /** Barrier rounds (SSGD): N gradients on the same θ, averaged, applied as one update. */
  sync: boolean;
}

interface NamedRule extends RuleComposition {
  /** Rule-specific defaults for ruleParams fields the user leaves unset. */
  defaults?: Partial<RuleParams>;
}

const rule = (base: BaseName, penalties: PenaltyName[] = [], extra: Partial<NamedRule> = {}): NamedRule => ({ base, penalties, sync: false, ...extra });

/** The named rules of ALGORITHMS.md §2, one line each. */
export const NAMED_RULES = {
  ssgd: rule('momentum', [], { sync: true }),
  asgd: rule('sgd'),
  'momentum-asgd': rule('momentum'),
  'nag-asgd': rule('nesterov'),
  'multi-asgd': rule('multi-momentum'),
  sa: rule('sgd', ['staleness-aware']),
  'sa-momentum': rule('momentum', ['staleness-aware']),
  'dc-asgd': rule('sgd', ['delay-compensation']),
  ga: rule('sgd', ['gap-aware']),
  'ga-momentum': rule('momentum', ['gap-aware']),
  'dana-zero': rule('dana-zero'),
  'dana-slim': rule('dana-slim'),
  'dana-dc': rule('dana-zero', ['delay-compensation'], { defaults: { dcAdaptive: true } }),
  'ga-dana': rule('dana-zero', ['gap-aware']),
} as const satisfies Record<string, NamedRule>;

export type RuleName = keyof typeof NAMED_RULES;
export const RULE_NAMES = Object.keys(NAMED_RULES) as [RuleName, ...RuleName[]];
export const BASE_NAMES = Object.keys(BASES) as [BaseName, ...BaseName[]];
export const PENALTY_NAMES = Object.keys(PENALTIES) as [PenaltyName, ...PenaltyName[]];
/** Bases that SSGD (barrier rounds, one update per round) can use. */
export const SYNC_BASES: readonly BaseName[] = ['sgd', 'momentum', 'nesterov'];
