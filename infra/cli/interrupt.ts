/**
 * SIGINT / SIGTERM for the CLI's long-running commands (operations.md: "stop cleanly on SIGINT / SIGTERM").
 * A command that can stop between slices of work aborts an AbortController with an `Interrupted` reason,
 * finishes the slice, closes its stores and exits with 128 + the signal's number, as a shell reports a
 * process the signal ended: 130 for SIGINT (Ctrl+C), 143 for SIGTERM. A second signal exits at once.
 */
export type StopSignal = 'SIGINT' | 'SIGTERM';

export const exitCodeFor = (signal: StopSignal): number => (signal === 'SIGINT' ? 130 : 143);

/** the reason an AbortController is aborted with when the operator stops a command */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
  constructor(
    readonly signal: StopSignal,
    message = `收到 ${signal}`,
  ) {
    super(message);
  }
  get exitCode(): number {
    return exitCodeFor(this.signal);
  }
}

/**
 * Calls `onSignal` on the first SIGINT or SIGTERM; on a second one, the process exits at once with the
 * second signal's code. Returns the function that removes the handlers (the default behaviour returns).
 */
export function onStopSignals(onSignal: (signal: StopSignal) => void): () => void {
  let received = false;
  const handle = (signal: StopSignal): void => {
    if (received) {
      console.error(`再次收到 ${signal}：立即退出。`);
      process.exit(exitCodeFor(signal));
    }
    received = true;
    onSignal(signal);
  };
  const onInt = (): void => handle('SIGINT');
  const onTerm = (): void => handle('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return () => {
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGTERM', onTerm);
  };
}

