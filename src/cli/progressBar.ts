import cliProgress from 'cli-progress';
import type { Progress } from '../run/runControl.ts';

/**
 * A progress sink for terminals: a live bar (step, loss, ETA) when stderr is a TTY, otherwise one
 * plain line every few seconds so logs of CI and notebooks stay readable.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): { onProgress: (p: Progress) => void; stop: () => void } {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{label} [{bar}] {value}/{total} updates | loss {loss} | ETA {eta_formatted}',
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      onProgress(p) {
        const payload = { loss: Number.isFinite(p.loss) ? p.loss.toFixed(4) : String(p.loss), label: p.label ?? 'run' };
        if (!started) {
          bar.start(p.total, p.step, payload);
          started = true;
        } else {
          bar.setTotal(p.total);
          bar.update(p.step, payload);
        }
      },
      stop: () => started && bar.stop(),
    };
  }
  let last = 0;
  return {
    onProgress(p) {
      const now = Date.now();
      if (now - last < 5000 && p.step < p.total) return;
      last = now;
      const eta = Number.isFinite(p.etaSec) ? `${p.etaSec.toFixed(0)} s` : '?';
      stream.write(`${p.label ?? 'run'}: ${p.step}/${p.total} updates, loss ${p.loss.toFixed(4)}, ETA ${eta}\n`);
    },
    stop: () => {},
  };
}
