import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { FigureRenderer, type FigureImageOptions } from './figureImage.ts';
import type { FigureSpec } from './figureSpec.ts';

/**
 * The thread behind SyncFigureRenderer: owns one FigureRenderer (launched on the first figure)
 * and answers each request on the port, then wakes the waiting thread through the shared flag.
 */
type Request = { kind: 'render'; figure: FigureSpec; options: FigureImageOptions } | { kind: 'close' };

const flag = new Int32Array((workerData as { flag: SharedArrayBuffer }).flag);
let renderer: Promise<FigureRenderer> | null = null;
let port: MessagePort;

function answer(message: unknown): void {
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

// Requests come on parentPort; the first message brings the port answers go back on (read
// synchronously there by the waiting thread; a port must be transferred, not cloned).
parentPort!.on('message', (msg: Request | { port: MessagePort }) => {
  if ('port' in msg) port = msg.port;
  else void serve(msg);
});

async function serve(req: Request): Promise<void> {
  try {
    if (req.kind === 'close') {
      const r = renderer;
      renderer = null;
      if (r) await (await r.catch(() => null))?.close();
      answer({ ok: true });
      return;
    }
    renderer ??= FigureRenderer.launch();
    // A failed launch (no Chromium) is answered now and tried again on the next figure.
    const r = await renderer.catch((e: unknown) => {
      renderer = null;
      throw e;
    });
    const bytes = await r.render(req.figure, req.options);
    answer({ ok: true, bytes });
  } catch (e) {
    const err = e as Error;
    answer({ ok: false, name: err.name, message: err.message });
  }
}
