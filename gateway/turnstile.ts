/**
 * GraphQL operations take turns with the rest of the event loop.
 *
 * With the embedded read models every read is synchronous, so an operation, once started, runs to its answer in
 * one stretch of microtasks (5–10 ms for the dossier). Node starts every request whose bytes arrived in the same
 * poll phase back to back: 50 clients meant `/healthz`, an ingest acknowledgement or a Kafka heartbeat waited behind
 * 50 such stretches (issue 14 measured `/healthz` p99 1.3 s during a dossier flood).
 *
 * Queued here, operations start from `setImmediate`, after the loop has polled I/O. Within one turn, operations
 * that finish quickly let the next one start at once until the turn has used BUDGET_MS (one turn per operation cost a
 * quarter of the throughput of cheap queries); a longer one ends the turn. The order is first come, first served.
 * An operation that awaits real I/O (the Redis read models) does not hold the queue: at least one more starts on
 * every turn whatever the others are doing.
 */
const BUDGET_MS = 4;

/** waits for the operation's turn; the answer is the call that says it has finished */
export type Turnstile = () => Promise<() => void>;

export function createTurnstile(budgetMs = BUDGET_MS): Turnstile {
  const waiting: (() => void)[] = [];
  let scheduled = false;
  let turnStarted = 0;
  const startNext = (): void => {
    waiting.shift()?.();
  };
  const scheduleTurn = (): void => {
    if (scheduled || waiting.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      turnStarted = performance.now();
      startNext();
      // queued during the check phase: the next turn, after the loop has polled I/O again
      scheduleTurn();
    });
  };
  const finished = (): void => {
    if (waiting.length > 0 && performance.now() - turnStarted < budgetMs) startNext();
  };
  return () =>
    new Promise<() => void>((resolve) => {
      let once = false;
      waiting.push(() =>
        resolve(() => {
          if (once) return;
          once = true;
          finished();
        }),
      );
      scheduleTurn();
    });
}
