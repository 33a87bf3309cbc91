import { Worker } from 'node:worker_threads';

/**
 * Start a worker thread on the module `entry` (a URL of a .ts source, or of the compiled .js
 * beside it). From the TypeScript sources (run through tsx) Node 20 cannot start a Worker on a
 * .ts file, so the worker begins with a two-line ES module bootstrap (a data: URL) that registers
 * tsx and then imports the entry; from the compiled dist/ it starts on the .js directly, unless
 * `tsx` is asked for (a user's rule given as a .ts module must load in the worker too).
 * Configuration travels in workerData.
 */
export function spawnWorker(entry: URL, workerData: unknown, opts: { tsx?: boolean } = {}): Worker {
  const fromSource = entry.href.endsWith('.ts');
  if (!fromSource && !opts.tsx) return new Worker(entry, { workerData });
  // Both tsx hooks, as bin/stalelab.mjs: a .ts rule module outside a "type": "module" package is CommonJS to Node.
  const esm = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const cjs = JSON.stringify(import.meta.resolve('tsx/cjs/api'));
  const bootstrap = `import { register } from ${esm};\nimport { register as registerCjs } from ${cjs};\nregister();\nregisterCjs();\nawait import(${JSON.stringify(entry.href)});\n`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { workerData });
}

/** The URL of a sibling module of `from` (import.meta.url), as .ts from the sources or .js from dist/. */
export function siblingModule(from: string, name: string): URL {
  return new URL(`./${name}${from.endsWith('.ts') ? '.ts' : '.js'}`, from);
}

/** Whether a validated rule names a user definition in a TypeScript module (the worker then needs tsx). */
export function ruleNeedsTsx(rule: { base: { module?: { module: string } }; transforms: { module?: { module: string } }[] }): boolean {
  return [rule.base, ...rule.transforms].some((p) => p.module && /\.[cm]?tsx?$/.test(p.module.module));
}
