/**
 * A subscription driven by reading pages of the global order: catch up page by page, then sleep until
 * the store says something was committed (or a poll timer fires, for writers the store cannot hear,
 * such as another process on the same file). Engine-agnostic so any adapter with a cheap "events after
 * position P" query can reuse it.
 *
 * Exactly-once, in-order delivery follows from one rule: the checkpoint only moves past an event after
 * its onEvent has settled, and every read starts strictly after the checkpoint.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { RecordedEvent, SubscribeOptions, Subscription } from '../../ports/eventStore.js';

export interface PageSource {
  /** events with position > after, in position order, at most maxCount */
  readPage(after: bigint | null, maxCount: number): RecordedEvent[] | Promise<RecordedEvent[]>;
  /** the head when the subscription was opened: onCaughtUp fires once the checkpoint reaches it */
  headAtStart: bigint | null | Promise<bigint | null>;
  /** the store calls every function in this set right after each commit */
  commitListeners: Set<() => void>;
  pageSize: number;
  pollIntervalMs: number;
}

export interface RunningSubscription extends Subscription {
  /** settles when the subscription has ended, for whatever reason; never rejects */
  readonly ended: Promise<void>;
}

export function startPollingSubscription(options: SubscribeOptions, source: PageSource): RunningSubscription {
  let checkpoint = options.after;
  let stopped = false;
  // set by a commit notification; a commit that lands while a page is being delivered must cause
  // another read before the loop sleeps, or its events would wait for the next poll
  let committedSinceRead = false;
  let wakeUp: (() => void) | null = null;

  const onCommit = (): void => {
    committedSinceRead = true;
    wakeUp?.();
  };
  source.commitListeners.add(onCommit);

  const sleep = (): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, source.pollIntervalMs);
      // a forgotten subscription must not keep the process (or a test run) alive on its own
      timer.unref();
      wakeUp = done;
    });

  const deliver = async (): Promise<void> => {
    const headAtStart = await source.headAtStart;
    let caughtUp = false;
    while (!stopped) {
      committedSinceRead = false;
      const page = await source.readPage(checkpoint, source.pageSize);
      for (const event of page) {
        if (stopped) return;
        // awaited only when it is a promise: a handler that only buffers (the projection runner's) would
        // otherwise cost a trip through the microtask queue per event
        const handled = options.onEvent(event);
        if (handled !== undefined) await handled;
        checkpoint = event.position;
      }
      if (!caughtUp && (headAtStart === null || (checkpoint !== null && checkpoint >= headAtStart))) {
        caughtUp = true;
        options.onCaughtUp?.();
      }
      if (stopped) continue;
      if (page.length === source.pageSize || committedSinceRead) {
        // more to read: the next page in a turn of the event loop of its own — an embedded store reads a page
        // synchronously, and pages read back to back while catching up held the loop for as long as they all took
        await nextTurn();
        continue;
      }
      await sleep();
    }
  };

  const ended = deliver()
    .catch((error: unknown) => {
      // a failed onEvent is not acknowledged: stopping keeps the consumer's checkpoint honest, and it
      // resumes from there when it subscribes again
      stopped = true;
      reportError(options, error);
    })
    .finally(() => source.commitListeners.delete(onCommit));

  return {
    ended,
    stop: () => {
      stopped = true;
      wakeUp?.();
      return ended;
    },
  };
}

function reportError(options: SubscribeOptions, error: unknown): void {
  if (!options.onError) {
    process.emitWarning(`event subscription stopped: ${String(error)}`, 'SubscriptionError');
    return;
  }
  try {
    options.onError(error);
  } catch {
    // the handler's own failure has nowhere better to go; the subscription has already stopped
  }
}
