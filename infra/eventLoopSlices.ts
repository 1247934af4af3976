/**
 * Bounded slices of synchronous work on a thread that serves requests: `pause()` is called between units of work and
 * lets the event loop turn (setImmediate: timers and I/O first) once `budgetMs` has passed since the last turn, so
 * `/healthz` and other requests wait at most about one slice.
 */
export function slices(budgetMs: number, signal?: AbortSignal): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < budgetMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
    signal?.throwIfAborted();
  };
}
