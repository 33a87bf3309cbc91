import type { RunControl } from '../run/runControl.ts';

export interface InterruptibleOptions {
  /** Where the notice goes when an interrupt stops the run (default: console.error, a cell's stderr). */
  notice?: (text: string) => void;
}

type Listener = (...args: unknown[]) => void;

let active: AbortController | null = null;
let depth = 0;
let stashed: Listener[] = [];
let notice: (text: string) => void = (t) => console.error(t);

/**
 * Jupyter's interrupt button sends SIGINT to the kernel process. tslab answers it by rejecting
 * the cell's promise, which leaves the run going on in the background and loses its result.
 * While a run is in flight this handler takes SIGINT first: it aborts the run's signal (the
 * engine stops after the update in flight and returns its rows with status "interrupted", and
 * the cell goes on to show them). A second SIGINT, or one with no run in flight, goes to the
 * listeners that were there before (tslab's), or, where there were none, exits as Node would.
 */
function onSigint(): void {
  if (active && !active.signal.aborted) {
    active.abort(new Error('interrupted (SIGINT)'));
    notice('stalelab: interrupted: stopping the run after the update in flight; its rows so far are kept (interrupt again to abandon the cell)');
    return;
  }
  if (stashed.length === 0) process.exit(130);
  for (const l of stashed) l('SIGINT');
}

/**
 * Run `work` (a runExperiment, sweep or runThreads call) with a RunControl whose signal the
 * kernel's interrupt aborts, e.g. in a notebook cell:
 *
 *   const run = await interruptible((control) => runExperiment(config, control));
 *   const grid = await interruptible((control) => sweep(grid, { control }));
 *
 * Spread `control` into your own to add `onProgress`. Nested calls share one signal.
 */
export async function interruptible<T>(work: (control: RunControl) => Promise<T>, opts: InterruptibleOptions = {}): Promise<T> {
  // tslab runs a cell's synchronous part with vm's breakOnSigint, which takes every SIGINT
  // listener off while it runs and, when it ends, leaves a listener added meanwhile without its
  // signal handler (the next SIGINT would then kill the kernel). So take over after it ended.
  await new Promise((resolve) => setImmediate(resolve));
  if (depth === 0) {
    active = new AbortController();
    notice = opts.notice ?? ((t) => console.error(t));
    stashed = process.listeners('SIGINT') as Listener[];
    for (const l of stashed) process.removeListener('SIGINT', l);
    process.on('SIGINT', onSigint);
  }
  const controller = active as AbortController;
  depth++;
  try {
    return await work({ signal: controller.signal });
  } finally {
    depth--;
    if (depth === 0) {
      process.removeListener('SIGINT', onSigint);
      for (const l of stashed) process.on('SIGINT', l);
      stashed = [];
      active = null;
    }
  }
}
