import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The installed version of an npm package, or undefined when it cannot be read. */
export function packageVersion(name: string): string | undefined {
  try {
    const pkg = require(`${name}/package.json`) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}
