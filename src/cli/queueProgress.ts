import cliProgress from 'cli-progress';
import type { QueueStatus } from '../sweep/queueSettings.ts';

const eta = (sec: number) => (Number.isFinite(sec) ? (sec >= 120 ? `${(sec / 60).toFixed(0)} min` : `${Math.max(0, sec).toFixed(0)} s`) : '?');

/** One line of a queue sweep's state: what is done, running, waiting, failed and retried, and the ETA. */
export function queueStatusLine(s: QueueStatus): string {
  const down = s.redisUp ? '' : ' (Redis unreachable: waiting for it)';
  return `queue: ${s.done}/${s.total} done, ${s.running} running, ${s.queued} queued, ${s.failed} failed, ${s.retried} retried, ETA ${eta(s.etaSec)}${down}`;
}

/**
 * A queue sweep's progress: a live bar on a TTY, otherwise the status line every few seconds
 * (and once at the end) so logs stay readable.
 */
export function queueProgress(stream: NodeJS.WriteStream = process.stderr): { onStatus: (s: QueueStatus) => void; stop: () => void } {
  let last: QueueStatus | null = null;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: 'queue [{bar}] {value}/{total} done | {running} running | {queued} queued | {failed} failed | {retried} retried | ETA {eta}{down}', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      onStatus(s) {
        last = s;
        const payload = { running: s.running, queued: s.queued, failed: s.failed, retried: s.retried, eta: eta(s.etaSec), down: s.redisUp ? '' : ' | Redis unreachable' };
        if (!started) {
          bar.start(s.total, s.done, payload);
          started = true;
        } else bar.update(s.done, payload);
      },
      stop: () => started && bar.stop(),
    };
  }
  let shown = 0;
  let lastLine = '';
  return {
    onStatus(s) {
      last = s;
      const now = Date.now();
      if (now - shown < 5000) return;
      shown = now;
      lastLine = queueStatusLine(s);
      stream.write(lastLine + '\n');
    },
    stop: () => {
      if (last && queueStatusLine(last) !== lastLine) stream.write(queueStatusLine(last) + '\n');
    },
  };
}
