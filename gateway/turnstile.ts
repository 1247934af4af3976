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
 *
 * One operation can itself be longer than a turn: at 1,000,000 events the benchmark's dossier lists 1,581 attention
 * items, about 30 ms of reading, judging, completing and encoding. Such work calls `pause()` between pieces: it goes on at
 * once while the turn has budget left, else after the loop has polled I/O, before any operation that has not started
 * (what has started finishes first, so a flood does not hold fifty half-done answers in memory).
 *
 * What goes on after real I/O calls `resume()`: it always waits for a turn, like a paused piece. An answer leaves after
 * its access-log entry is written, and one group commit answers the entries of every operation in it at once; with
 * `pause()` each of them found the budget unspent and all fifty encoded and sent their answers in one stretch.
 */
const BUDGET_MS = 4;

export interface Turnstile {
  /** waits for the operation's turn; the answer is the call that says it has finished */
  enter(): Promise<() => void>;
  /** between two pieces of a long operation: resolves at once within the turn's budget, else on a later turn */
  pause(): Promise<void>;
  /**
   * after an operation waited for real I/O: goes on in a turn, never at once. What one piece of I/O releases (the
   * access log's group commit answers every operation in it) goes on in one run of microtasks, where each operation
   * would check the turn's budget before any of them had spent it, and all would go on in one stretch.
   */
  resume(): Promise<void>;
}

export function createTurnstile(budgetMs = BUDGET_MS): Turnstile {
  /** long operations that paused, to go on before anything new starts */
  const paused: (() => void)[] = [];
  /** operations that have not started, in the order they arrived */
  const arrived: (() => void)[] = [];
  let scheduled = false;
  let turnStarted = -Infinity;
  const withinBudget = (): boolean => performance.now() - turnStarted < budgetMs;
  const runNext = (): void => {
    (paused.shift() ?? arrived.shift())?.();
  };
  const scheduleTurn = (): void => {
    if (scheduled || paused.length + arrived.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      turnStarted = performance.now();
      runNext();
      // queued during the check phase: the next turn, after the loop has polled I/O again
      scheduleTurn();
    });
  };
  const resume = (): Promise<void> =>
    new Promise<void>((resolve) => {
      paused.push(resolve);
      scheduleTurn();
    });
  const finished = (): void => {
    if (withinBudget()) runNext();
  };
  return {
    enter: () =>
      new Promise<() => void>((resolve) => {
        let once = false;
        arrived.push(() =>
          resolve(() => {
            if (once) return;
            once = true;
            finished();
          }),
        );
        scheduleTurn();
      }),
    pause: () => (withinBudget() ? Promise.resolve() : resume()),
    resume,
  };
}
