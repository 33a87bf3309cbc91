/**
 * How big the notebooks' experiments are: `smoke` (CI, seconds per notebook), `quick` (the whole
 * set in minutes on 2 CPU cores, small models and data subsets), `medium` (full datasets, small
 * models, about an hour per notebook on 2 cores, the scale of experiments/medium-*.json) and
 * `full` (paper scale, a GPU job).
 * A run config's `profile` is one of these, or `custom` for anything else; it is stamped on every
 * table the run produces.
 */
export const NOTEBOOK_PROFILES = ['smoke', 'quick', 'medium', 'full'] as const;
export type NotebookProfile = (typeof NOTEBOOK_PROFILES)[number];
export const PROFILES = [...NOTEBOOK_PROFILES, 'custom'] as const;
export type Profile = (typeof PROFILES)[number];
