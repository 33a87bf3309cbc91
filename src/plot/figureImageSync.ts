import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { ConfigError } from '../config/validate.ts';
import { writeAtomic } from '../results/atomicWrite.ts';
import { siblingModule, spawnWorker } from '../run/spawnWorker.ts';
import { ChromiumMissingError, formatOfPath, type FigureImageOptions } from './figureImage.ts';
import type { FigureSpec } from './figureSpec.ts';

/** Longest wait for one figure (the first includes starting Chromium); then the renderer is given up. */
const RENDER_TIMEOUT_MS = 120_000;

type Answer = { ok: true; bytes?: Uint8Array } | { ok: false; name: string; message: string };

/**
 * FigureRenderer behind a synchronous call, for code that cannot await (a notebook's
 * report.figure(), whose files must exist when the cell ends): the browser lives in a worker
 * thread, and render() blocks this thread on a shared flag until the worker answers. The worker
 * is unref'd, so an idle renderer never keeps the process alive; close() shuts the browser now.
 */
export class SyncFigureRenderer {
  private worker: Worker | null;
  private readonly port: MessagePort;
  private readonly flag: Int32Array;

  constructor() {
    const shared = new SharedArrayBuffer(4);
    this.flag = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = spawnWorker(siblingModule(import.meta.url, 'figureImageWorker'), { flag: shared });
    this.worker.postMessage({ port: port2 }, [port2]);
    this.worker.unref();
    this.port.unref();
  }

  private call(request: unknown): Answer {
    if (!this.worker) throw new Error('SyncFigureRenderer: already closed');
    Atomics.store(this.flag, 0, 0);
    this.worker.postMessage(request);
    // The worker may answer before this wait starts; the flag then already reads 1.
    if (Atomics.wait(this.flag, 0, 0, RENDER_TIMEOUT_MS) === 'timed-out') {
      void this.worker.terminate();
      this.worker = null;
      throw new Error(`figure rendering: no answer from Chromium within ${RENDER_TIMEOUT_MS / 1000} s (the renderer was stopped)`);
    }
    const got = receiveMessageOnPort(this.port);
    if (!got) throw new Error('figure rendering: the renderer thread signalled without an answer');
    return got.message as Answer;
  }

  /** The figure as SVG, PNG or PDF bytes (see FigureRenderer.render), synchronously. */
  render(figure: FigureSpec, options: FigureImageOptions): Buffer {
    // The worker's console is asynchronous; requests are plain JSON so a figure's class instances cannot slip through.
    const answer = this.call({ kind: 'render', figure: JSON.parse(JSON.stringify(figure)) as FigureSpec, options });
    if (answer.ok) return Buffer.from(answer.bytes!);
    if (answer.name === 'ChromiumMissingError') throw new ChromiumMissingError(answer.message);
    if (answer.name === 'ConfigError') throw new ConfigError(answer.message);
    throw new Error(`figure rendering failed: ${answer.message}`);
  }

  /** Save the figure to `path` atomically, in the format its extension names. */
  save(figure: FigureSpec, path: string, options: Omit<FigureImageOptions, 'format'> = {}): void {
    writeAtomic(path, this.render(figure, { ...options, format: formatOfPath(path) }));
  }

  /** Close the browser (waiting until it has exited) and stop the worker. */
  close(): void {
    if (!this.worker) return;
    try {
      this.call({ kind: 'close' });
    } finally {
      void this.worker?.terminate();
      this.worker = null;
      this.port.close();
    }
  }
}

let shared: SyncFigureRenderer | null = null;

/** One SyncFigureRenderer for the whole process (every NotebookReport of a kernel shares its browser). */
export function sharedSyncFigureRenderer(): SyncFigureRenderer {
  shared ??= new SyncFigureRenderer();
  return shared;
}

/** Close the process-wide renderer (a later figure starts a new one). */
export function closeSharedSyncFigureRenderer(): void {
  const r = shared;
  shared = null;
  r?.close();
}
