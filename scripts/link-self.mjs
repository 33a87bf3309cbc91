// node_modules/stalelab -> .. in a checkout (run by `npm ci` / `npm install` as the "prepare" script).
//
// Node resolves `import … from 'stalelab'` inside the package by itself (package "exports" allow
// self-reference), but tslab type-checks notebook cells with TypeScript's node10 resolution, which
// only looks in node_modules/. The link makes the notebooks' `import … from 'stalelab'` resolve
// to this checkout's dist/ for the type checker as it does for Node. Idempotent; never replaces an
// existing entry that is not this link.
import { existsSync, lstatSync, mkdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Installed as a dependency (…/node_modules/stalelab): the project's node_modules already has it.
if (root.split(sep).includes('node_modules')) process.exit(0);

const modules = join(root, 'node_modules');
const link = join(modules, 'stalelab');
if (!existsSync(modules)) mkdirSync(modules);
let present = null;
try {
  present = lstatSync(link);
} catch {
  present = null;
}
if (present === null) {
  symlinkSync('..', link, 'dir');
} else if (!present.isSymbolicLink() || resolve(modules, readlinkSync(link)) !== root) {
  console.warn(`link-self: ${link} exists and is not a link to ${root}; left as it is`);
}
