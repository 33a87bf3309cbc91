import type { SimConfig } from '../engines/sim/simConfig.ts';
import type { ThreadsConfig } from '../engines/threads/threadsConfig.ts';
import type { PsConfig } from '../engines/ps/psConfig.ts';

/**
 * A validated run config of any engine (what parseRunConfig returns). Its own file so that the
 * run layer's helpers the engines use (budget, schedule, checkpoint) need not import the parser,
 * which imports the engine registry, which imports the engines.
 */
export type RunConfig = SimConfig | ThreadsConfig | PsConfig;
