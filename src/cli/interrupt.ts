import { constants } from 'node:os';

/**
 * The signals that stop a run and save its finished rows: Ctrl-C (SIGINT), a scheduler or
 * `timeout` or `kill` (SIGTERM: Slurm's scancel, Kubernetes pod termination), a closed terminal
 * or ssh session (SIGHUP).
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The shell's exit status for a process ended by `signal`: 128 + its number (130, 143, 129). */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

export interface Interrupt {
  /** Aborted at the first stop signal. */
  readonly signal: AbortSignal;
  /** The first stop signal received, if any. */
  readonly received: StopSignal | undefined;
  /** signalExitCode of the signal received; undefined while none was. */
  readonly exitCode: number | undefined;
  dispose(): void;
}

/**
 * The first stop signal asks the run to stop after the update in flight (engines return the
 * rows they have, which are then saved); a second one, of any kind, exits at once with its own
 * status. Keep it until the rows are saved, so a signal during the save is not the default
 * (instant) death.
 */
export function interruptOnSignals(stream: NodeJS.WritableStream = process.stderr): Interrupt {
  const controller = new AbortController();
  let received: StopSignal | undefined;
  const say = (text: string) => {
    // A hung-up terminal may refuse the write; the stop must go on regardless.
    try {
      stream.write(text);
    } catch {
      // nothing to tell anyone
    }
  };
  const handlers = STOP_SIGNALS.map((name) => {
    const onSignal = () => {
      if (controller.signal.aborted) {
        say(`\nsecond signal (${name}): exiting now\n`);
        process.exit(signalExitCode(name));
      }
      received = name;
      // After a hang-up the terminal is gone: its write errors (EIO) must not crash the save.
      if (name === 'SIGHUP') (stream as NodeJS.WritableStream & { on?: (e: string, f: () => void) => void }).on?.('error', () => {});
      const again = name === 'SIGINT' ? 'Ctrl-C again' : 'a second signal';
      say(`\n${name}: stopping after the current update and saving the finished rows (${again} to exit now)\n`);
      controller.abort();
    };
    process.on(name, onSignal);
    return [name, onSignal] as const;
  });
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    get exitCode() {
      return received && signalExitCode(received);
    },
    dispose: () => {
      for (const [name, onSignal] of handlers) process.off(name, onSignal);
    },
  };
}

/** interruptOnSignals under its older name (Ctrl-C was the only signal handled). */
export const interruptOnSigint = interruptOnSignals;
