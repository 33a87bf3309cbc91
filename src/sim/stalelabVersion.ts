import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** stalelab's version from its package.json (src/ and dist/ both sit two levels below it). */
export function stalelabVersion(): string {
  if (cached === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
      cached = pkg.version ?? 'unknown';
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
