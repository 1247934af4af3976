/**
 * Read-after-write for a process that reads read models another process writes (the distributed gateway):
 * it has no runner to ask, so it polls the projections' checkpoints in the shared store — first at once,
 * then every 5 ms growing to 50 ms — until every one has reached the position, or gives up after the timeout.
 * The projector commits each checkpoint in the same transaction as its documents, so a checkpoint at or past
 * the position means the documents are there too.
 */
import { ProjectionTimeoutError } from '../../projections/runner.js';
import type { EventStore } from '../../ports/eventStore.js';
import type { ReadModelStore } from '../../ports/readModelStore.js';

export interface CheckpointWaitOptions {
  readModels: ReadModelStore;
  /** the checkpoint names (projection names) to wait for */
  projections: readonly string[];
  /** default 10,000 ms, as in embedded mode */
  timeoutMs?: number;
  firstIntervalMs?: number;
  maxIntervalMs?: number;
}

/** `waitForProjections(position)` for the command service and HTTP ingest */
export function checkpointWaiter(options: CheckpointWaitOptions): (position: bigint) => Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const firstIntervalMs = options.firstIntervalMs ?? 5;
  const maxIntervalMs = options.maxIntervalMs ?? 50;
  return async (position) => {
    const deadline = Date.now() + timeoutMs;
    let interval = firstIntervalMs;
    for (;;) {
      const checkpoints = await Promise.all(options.projections.map((name) => options.readModels.checkpoint(name)));
      const behind = checkpoints.findIndex((checkpoint) => checkpoint === null || checkpoint < position);
      if (behind === -1) return;
      if (Date.now() + interval > deadline) {
        throw new ProjectionTimeoutError(position, timeoutMs, { name: options.projections[behind]!, checkpoint: checkpoints[behind] ?? null });
      }
      await new Promise((resolve) => setTimeout(resolve, interval));
      interval = Math.min(interval * 2, maxIntervalMs);
    }
  };
}

/**
 * How many stored events the slowest of `checkpoints` has not applied yet, counted up to `limit + 1` (a bigger
 * backlog answers `limit + 1`), for /readyz and the lag gauge. Counted by reading, not by subtracting positions:
 * EventStoreDB positions are not dense (they grow by bytes), PostgreSQL's and SQLite's are. Nothing is read while
 * the checkpoints are at the head.
 */
export async function eventsBehind(store: EventStore, checkpoints: readonly (bigint | null)[], limit: number): Promise<number> {
  const head = await store.headPosition();
  if (head === null) return 0;
  let slowest: bigint | null = head;
  for (const checkpoint of checkpoints) if (checkpoint === null || (slowest !== null && checkpoint < slowest)) slowest = checkpoint;
  if (slowest !== null && slowest >= head) return 0;
  return (await store.readAll({ after: slowest, maxCount: limit + 1 })).length;
}

/** the projections' checkpoints as stored (by the projector, for a process that only reads them) */
export function storedCheckpoints(readModels: ReadModelStore, projections: readonly string[]): Promise<(bigint | null)[]> {
  return Promise.all(projections.map((name) => readModels.checkpoint(name)));
}
