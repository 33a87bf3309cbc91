import type { WorkerEvent } from '../sweep/queueWorker.ts';
import { signalExitCode, STOP_SIGNALS, type StopSignal } from './interrupt.ts';
import type { CommandIo } from './runCommand.ts';

export interface WorkerFlags {
  queue: string;
  concurrency?: number;
  queueName?: string;
  lockDuration?: number;
  stalledInterval?: number;
  maxStalled?: number;
}

function eventLine(e: WorkerEvent): string {
  switch (e.type) {
    case 'ready':
      return `worker ${e.name}: taking runs from queue "${e.queueName}" at ${e.queue}, ${e.concurrency} at a time (Ctrl-C returns the runs in flight to the queue and stops)`;
    case 'start':
      return `start ${e.runId} (attempt ${e.attempt} of ${e.attempts}${e.restarts ? `; started ${e.restarts}× before by a worker that stopped` : ''})`;
    case 'done':
      return `done ${e.runId}: ${e.status} in ${e.seconds.toFixed(1)} s`;
    case 'failed':
      return `failed ${e.runId} (attempt ${e.attempt} of ${e.attempts}): ${e.error}${e.final ? ' (no attempts left)' : ' (retried after a backoff)'}`;
    case 'returned':
      return `returned ${e.runId} to the queue`;
    case 'error':
      return `worker: ${e.error}`;
  }
}

/**
 * `stalelab worker --queue redis://HOST:PORT`: run sweeps' runs from the queue until stopped. Ctrl-C,
 * SIGTERM or SIGHUP stops the runs in flight, puts their jobs back in the queue and exits 0 (a
 * worker's normal end); a second signal exits at once (the jobs are then found stalled and retried
 * elsewhere).
 */
export async function workerCommand(flags: WorkerFlags, io: CommandIo): Promise<number> {
  let lastError = '';
  // BullMQ loads only for this command (half a second), not for every stalelab command.
  const { startQueueWorker } = await import('../sweep/queueWorker.ts');
  const worker = await startQueueWorker({
    queue: flags.queue,
    ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
    ...(flags.queueName !== undefined ? { queueName: flags.queueName } : {}),
    ...(flags.lockDuration !== undefined ? { lockDurationMs: flags.lockDuration } : {}),
    ...(flags.stalledInterval !== undefined ? { stalledIntervalMs: flags.stalledInterval } : {}),
    ...(flags.maxStalled !== undefined ? { maxStalledCount: flags.maxStalled } : {}),
    onEvent: (e) => {
      // Connection errors repeat at every reconnect attempt while Redis is down: show each once.
      if (e.type === 'error') {
        if (e.error === lastError) return;
        lastError = e.error;
      } else lastError = '';
      (e.type === 'error' ? io.err : io.out).write(eventLine(e) + '\n');
    },
  });
  // After a hang-up the terminal is gone and writes to it fail: the stop must go on regardless.
  const say = (text: string) => {
    try {
      io.err.write(text);
    } catch {
      // nobody to tell
    }
  };
  let stopping = false;
  const stop = (name: StopSignal) => {
    if (name === 'SIGHUP') for (const st of [io.out, io.err]) (st as NodeJS.WritableStream & { on?: (e: string, f: () => void) => void }).on?.('error', () => {});
    if (stopping) {
      say(`\nsecond signal (${name}): exiting now (the runs in flight are found stalled and retried elsewhere)\n`);
      process.exit(signalExitCode(name));
    }
    stopping = true;
    say(`\n${name}: returning the runs in flight to the queue and stopping (${name === 'SIGINT' ? 'Ctrl-C again' : 'a second signal'} to exit now)\n`);
    void worker.close('return');
  };
  const handlers = STOP_SIGNALS.map((name) => [name, () => stop(name)] as const);
  for (const [name, h] of handlers) process.on(name, h);
  try {
    await worker.closed;
  } finally {
    for (const [name, h] of handlers) process.off(name, h);
  }
  const s = worker.stats;
  io.out.write(`worker stopped: ${s.done} runs done, ${s.failed} failed, ${s.returned} returned to the queue\n`);
  return 0;
}
