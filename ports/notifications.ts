/**
 * The notification outbox and the ways out of it (operations.md "Notifications"; the rules: domain/notifications).
 * Each notice is kept once by id, with its delivery state, so delivery is at least once and a receiver can drop
 * repeats by id; the outbox moves its own checkpoint over the event log in the same step as the notices the events
 * made, so a crash neither loses a notice nor makes one twice.
 */
import type { ClockFacts } from '../domain/clocks/runningClocks.js';
import type { IsoDate } from '../domain/deadlines/index.js';
import type { Notification } from '../domain/notifications/notifications.js';

/**
 * pending: waiting for (another) webhook attempt; delivered: a 2xx came back; failed: no 2xx for the whole retry
 * window; unrouted: the agency has no webhook — kept for operators and the console, nothing to send
 */
export const DELIVERY_STATES = ['pending', 'delivered', 'failed', 'unrouted'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface StoredNotification extends Notification {
  /** ISO time it entered the outbox */
  readonly createdAt: string;
  readonly state: DeliveryState;
  /** webhook attempts made */
  readonly attempts: number;
  /** ISO time of the next attempt while pending */
  readonly nextAttemptAt: string | null;
  readonly deliveredAt: string | null;
  /** why the last attempt failed (HTTP status or network error), in Chinese */
  readonly lastError: string | null;
}

export interface NotificationQuery {
  agencyId?: string | null;
  state?: DeliveryState | null;
  /** newest first */
  limit: number;
}

export interface NotificationOutbox {
  /** the last event position whose notices are in the outbox; null before the first */
  checkpoint(): Promise<bigint | null>;
  /**
   * Keeps the notices not kept yet (by id) — `pending` for an agency `routed` says has a webhook, due at once,
   * `unrouted` otherwise — and, with `position`, moves the checkpoint to it in the same transaction. Returns the new ones.
   */
  record(notices: readonly Notification[], options: { now: Date; routed: (agencyId: string) => boolean; position?: bigint }): Promise<StoredNotification[]>;
  /** pending notices whose next attempt is due at `now`, oldest first */
  due(now: Date, limit: number): Promise<StoredNotification[]>;
  delivered(id: string, at: Date): Promise<void>;
  /** a failed attempt: try again at `nextAttemptAt`, or give up (state failed) when it is null */
  attemptFailed(id: string, error: string, nextAttemptAt: Date | null): Promise<void>;
  list(query: NotificationQuery): Promise<StoredNotification[]>;
  /** how many notices are in each state */
  counts(): Promise<Record<DeliveryState, number>>;
  close(): Promise<void>;
}

/** one webhook POST; never throws: a failure is an answer */
export interface NotificationSender {
  /** whether the agency has a webhook at all */
  routes(agencyId: string): boolean;
  send(notice: StoredNotification): Promise<{ ok: true } | { ok: false; error: string }>;
}

/** a running clock and the read-model document that holds it (what a live view re-reads when it becomes overdue) */
export interface DueClock extends ClockFacts {
  readonly documentId: string;
}

/** the running clocks due on or before a date (overdue ones included), read from the clocks read model */
export type RunningClocksDueBy = (lastDue: IsoDate) => AsyncIterable<DueClock>;
