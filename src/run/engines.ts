import { psEngine } from '../engines/ps/psEngine.ts';
import { simEngine } from '../engines/sim/simEngine.ts';
import { threadsEngine } from '../engines/threads/threadsEngine.ts';
import type { Engine } from './engine.ts';

/** The engines by name. A new engine is one folder plus one line here. */
export const ENGINES = {
  sim: simEngine,
  threads: threadsEngine,
  ps: psEngine,
} as const satisfies Record<string, Engine<any>>;

export type EngineName = keyof typeof ENGINES;
export const ENGINE_NAMES = Object.keys(ENGINES) as EngineName[];
/** The engine a config without `engine` runs on. */
export const DEFAULT_ENGINE: EngineName = 'sim';
