import { ConfigError } from '../config/validate.ts';

import { NOTEBOOK_PROFILES, type NotebookProfile } from '../run/profiles.ts';

export { NOTEBOOK_PROFILES, type NotebookProfile };

/** The profile chosen by STALELAB_PROFILE (default quick); any other value is an error. */
export function notebookProfile(env: Record<string, string | undefined> = process.env): NotebookProfile {
  const raw = env.STALELAB_PROFILE;
  if (raw === undefined || raw === '') return 'quick';
  if ((NOTEBOOK_PROFILES as readonly string[]).includes(raw)) return raw as NotebookProfile;
  throw new ConfigError(`STALELAB_PROFILE: got "${raw}"; allowed values: ${NOTEBOOK_PROFILES.join(', ')}`);
}

/** Pick this profile's settings from one object per profile (keeps all three side by side in a notebook). */
export function forProfile<T>(profile: NotebookProfile, settings: Record<NotebookProfile, T>): T {
  return settings[profile];
}
