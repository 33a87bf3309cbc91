#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx so `npx stalelab` works without a build step.
// Both hooks: a user's rule module (.ts) in a folder without "type": "module" is CommonJS to Node,
// and loading its imports through the ESM hook alone ends in a require(esm) cycle.
import { register } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';

register();
registerCjs();
// A reader that stops early (`stalelab sweep grid.json --list | head -n 1`) closes the pipe: that
// ends the output, as it does for any Unix tool, rather than crashing with an EPIPE stack.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
