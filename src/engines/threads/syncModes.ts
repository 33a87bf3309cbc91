/**
 * How worker threads share θ (ALGORITHMS.md §4): a lock around read and write, Hogwild!'s unlocked
 * reads and writes, or Leashed-SGD's lock-free publication of immutable vectors.
 */
export const SYNC_MODES = ['lock', 'hogwild', 'leashed'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];
