/**
 * The first Ctrl-C asks the run to stop after the update in flight (engines return the rows they
 * have, which are then saved); a second one exits at once.
 */
export function interruptOnSigint(stream: NodeJS.WritableStream = process.stderr): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) {
      stream.write('\nsecond interrupt: exiting now\n');
      process.exit(130);
    }
    stream.write('\ninterrupt: stopping after the current update and saving the finished rows (Ctrl-C again to exit now)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
