/**
 * One GraphQL operation starts per turn of the event loop.
 *
 * With the embedded read models every read is synchronous, so an operation, once started, runs to its answer in
 * one stretch of microtasks (5–10 ms for the dossier). Node starts every request whose bytes arrived in the same
 * poll phase back to back: 50 clients meant `/healthz`, an ingest acknowledgement or a Kafka heartbeat waited behind
 * 50 such stretches (issue 14 measured `/healthz` p99 1.3 s during a dossier flood). Queued here, operations are
 * released from `setImmediate`, one per turn, so the loop polls I/O between two of them and anything else waits
 * for at most one. The order is first come, first served; nothing is dropped or reordered.
 *
 * An operation that awaits real I/O (the Redis read models) gives the loop back by itself; the turnstile then only
 * paces the starts, it does not cap how many run at once.
 */
export type Turnstile = () => Promise<void>;

export function createTurnstile(): Turnstile {
  const waiting: (() => void)[] = [];
  let scheduled = false;
  const releaseOne = (): void => {
    scheduled = false;
    waiting.shift()?.();
    // queued during this check phase: runs on the next turn, after the loop has polled I/O again
    if (waiting.length > 0) {
      scheduled = true;
      setImmediate(releaseOne);
    }
  };
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (!scheduled) {
        scheduled = true;
        setImmediate(releaseOne);
      }
    });
}
