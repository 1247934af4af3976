/**
 * The notifier (operations.md "Notifications"): follows the event log into the outbox, scans the running clocks for
 * 临期 and 逾期, and delivers pending notices to the agencies' webhooks with backoff until a 2xx or the retry window
 * ends. The rules of what is told are in domain/notifications; the outbox and the webhook are ports.
 *
 * - Facts: each page of events after the outbox's checkpoint becomes notices, recorded with the checkpoint in one
 *   step. On the first start (no checkpoint) the outbox starts at the current head: history is not told again.
 * - Clocks: every `clockScanMs`, and once at start, every running clock due up to `dueSoonWorkingDays` working days
 *   from today; the notice id holds the due date, so each is told once per due date.
 * - Delivery: every `deliverMs` (and right after new notices), the due ones; a failure is tried again after
 *   firstRetry × 2^(attempts − 1), capped at an hour, until `retryWindowMs` after the notice was made (24 h).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { chinaDate, lastDueWithinWorkingDays, type WorkingDayCalendar } from '../domain/deadlines/index.js';
import { notificationOfClock, notificationsOfEvent, type Notification } from '../domain/notifications/notifications.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/eventStore.js';
import type { NotificationOutbox, NotificationSender, RunningClocksDueBy, StoredNotification } from '../ports/notifications.js';

export interface NotifierDeps {
  events: EventStore;
  outbox: NotificationOutbox;
  sender: NotificationSender;
  dueClocks: RunningClocksDueBy;
  clock: Clock;
  calendar: WorkingDayCalendar;
  dueSoonWorkingDays: number;
  agencyName(id: string): string;
  log: { info(message: string): void; error(message: string): void };
  /** how often the event log is looked at (default 1 s: the first attempt is made within 10 s of the fact) */
  followMs?: number;
  clockScanMs?: number;
  deliverMs?: number;
  /** the wait before the first retry (default 30 s; operations.md: within 60 s) */
  firstRetryMs?: number;
  retryWindowMs?: number;
  /** told after every recorded batch of new notices (metrics, subscriptions) */
  onRecorded?(notices: readonly StoredNotification[]): void;
  /**
   * told the clocks-read-model documents of clocks found overdue for the first time (their overdue notice is new):
   * nothing in the document changes when a day passes, so this is how a live view learns a clock became overdue
   */
  onBecameOverdue?(documentIds: readonly string[]): void;
}

/** events per page of the log followed: read, turned into notices and recorded in one go (on the event loop, embedded) */
const PAGE = 250;
const DELIVER_BATCH = 50;
/** running clocks per turn of the clock scan (as many as projections/clocks/dueClocks.ts reads per page) */
const SCAN_PAGE = 100;
const MAX_RETRY_MS = 60 * 60 * 1000;

/** the wait before attempt n + 1 after n failed attempts */
export function retryDelayMs(failedAttempts: number, firstRetryMs: number): number {
  return Math.min(MAX_RETRY_MS, firstRetryMs * 2 ** Math.max(0, failedAttempts - 1));
}

export function createNotifier(deps: NotifierDeps) {
  const { events, outbox, sender, clock } = deps;
  const followMs = deps.followMs ?? 1000;
  const clockScanMs = deps.clockScanMs ?? 60_000;
  const deliverMs = deps.deliverMs ?? 1000;
  const firstRetryMs = deps.firstRetryMs ?? 30_000;
  const retryWindowMs = deps.retryWindowMs ?? 24 * 60 * 60 * 1000;
  const routed = (agencyId: string) => sender.routes(agencyId);
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  /** one pass of each loop at a time: a slow webhook must not start a second delivery of the same notice */
  const running = { follow: false, clocks: false, deliver: false };

  const record = async (notices: readonly Notification[], position?: bigint): Promise<StoredNotification[]> => {
    const added = await outbox.record(notices, { now: clock.now(), routed, ...(position !== undefined ? { position } : {}) });
    if (added.length > 0) {
      deps.onRecorded?.(added);
      if (added.some((n) => n.state === 'pending')) void pass('deliver', deliver);
    }
    return added;
  };

  async function follow(): Promise<void> {
    let after = await outbox.checkpoint();
    if (after === null) {
      // the first start: from now on (a store full of history would otherwise be told all of it at once)
      const head = await events.headPosition();
      await outbox.record([], { now: clock.now(), routed, position: head ?? 0n });
      return;
    }
    for (;;) {
      const page = await events.readAll({ after, maxCount: PAGE });
      if (page.length === 0) return;
      const notices = page.flatMap((e) =>
        notificationsOfEvent({ type: e.type, streamId: e.streamId, position: e.position, source: e.metadata.source, data: e.data as Record<string, unknown> }, deps.agencyName),
      );
      after = page[page.length - 1]!.position;
      await record(notices, after);
      if (page.length < PAGE || stopped) return;
      // the next page in a turn of the event loop of its own: an embedded store reads and records synchronously
      await nextTurn();
    }
  }

  async function scanClocks(): Promise<void> {
    const today = chinaDate(clock.now().toISOString());
    const lastDue = lastDueWithinWorkingDays(today, deps.dueSoonWorkingDays, deps.calendar);
    let notices: Notification[] = [];
    // the document of each clock a notice is about, for onBecameOverdue
    let documents = new Map<string, string>();
    const flush = async (): Promise<void> => {
      const added = await record(notices);
      const overdue = added.filter((n) => n.type === 'overdue').map((n) => documents.get(n.id)!);
      if (overdue.length > 0) deps.onBecameOverdue?.([...new Set(overdue)]);
      notices = [];
      documents = new Map();
    };
    let sinceTurn = 0;
    for await (const due of deps.dueClocks(lastDue)) {
      const notice = notificationOfClock(due, today, lastDue);
      if (notice !== null) {
        notices.push(notice);
        documents.set(notice.id, due.documentId);
      }
      if (stopped) return;
      if (++sinceTurn < SCAN_PAGE) continue;
      // at 1,000,000 events ~1,700 clocks are due, ~130 ms of reading and recording before the documents are cached:
      // a turn of the event loop (and with an embedded store a page read and a commit of its own) every SCAN_PAGE clocks
      sinceTurn = 0;
      if (notices.length > 0) await flush();
      await nextTurn();
    }
    if (notices.length > 0) await flush();
  }

  async function deliver(): Promise<void> {
    for (;;) {
      const due = await outbox.due(clock.now(), DELIVER_BATCH);
      if (due.length === 0 || stopped) return;
      for (const notice of due) {
        const answer = await sender.send(notice);
        const now = clock.now();
        if (answer.ok) {
          await outbox.delivered(notice.id, now);
          continue;
        }
        const next = new Date(now.getTime() + retryDelayMs(notice.attempts + 1, firstRetryMs));
        const giveUp = next.getTime() - Date.parse(notice.createdAt) > retryWindowMs;
        await outbox.attemptFailed(notice.id, answer.error, giveUp ? null : next);
        if (giveUp) deps.log.error(`通知 ${notice.id} 在 ${Math.round(retryWindowMs / 3_600_000)} 小时内未能送达 ${notice.agencyId}，已停止重试：${answer.error}`);
      }
    }
  }

  async function pass(name: keyof typeof running, work: () => Promise<void>): Promise<void> {
    if (running[name] || stopped) return;
    running[name] = true;
    try {
      await work();
    } catch (error) {
      deps.log.error(`通知（${name}）出错，稍后重试：${(error as Error).message}`);
    } finally {
      running[name] = false;
    }
  }

  const every = (ms: number, name: keyof typeof running, work: () => Promise<void>) => {
    const timer = setInterval(() => void pass(name, work), ms);
    timer.unref();
    timers.push(timer);
  };

  return {
    async start(): Promise<void> {
      await pass('follow', follow);
      await pass('clocks', scanClocks);
      if (stopped) return; // stopped while the first passes ran: no timers to leave behind
      every(followMs, 'follow', follow);
      every(clockScanMs, 'clocks', scanClocks);
      every(deliverMs, 'deliver', deliver);
      void pass('deliver', deliver);
    },
    /** waits for running passes to finish (a webhook call in flight is awaited, up to its own timeout) */
    async stop(): Promise<void> {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      while (running.follow || running.clocks || running.deliver) await new Promise((r) => setTimeout(r, 20));
    },
  };
}
export type Notifier = ReturnType<typeof createNotifier>;
