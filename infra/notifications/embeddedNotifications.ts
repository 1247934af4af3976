/**
 * Notifications in embedded mode: the outbox file in the data directory, the webhooks of the config, the notifier
 * following the SQLite event store and the clocks read model, and the metrics operators alert on.
 */
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { createNotifier } from '../../application/notifier.js';
import type { WorkingDayCalendar } from '../../domain/deadlines/index.js';
import type { Clock } from '../../ports/clock.js';
import type { EventStore } from '../../ports/eventStore.js';
import type { NotificationOutbox } from '../../ports/notifications.js';
import type { ReadModelStore } from '../../ports/readModelStore.js';
import { runningClocksDueBy } from '../../projections/clocks/dueClocks.js';
import type { PlatformConfig } from '../config/schema.js';
import { openSqliteOutbox } from './sqliteOutbox.js';
import { registerOutboxGauge } from './outboxGauge.js';
import { createWebhookSender } from './webhookSender.js';

export interface EmbeddedNotificationsDeps {
  config: PlatformConfig;
  dataDir: string;
  events: EventStore;
  readModels: ReadModelStore;
  clock: Clock;
  calendar: WorkingDayCalendar;
  agencyName(id: string): string;
  registry: Registry;
  env: NodeJS.ProcessEnv;
  log: { info(message: string): void; error(message: string): void };
  /** clocks-read-model documents of clocks that became overdue (for live views) */
  onBecameOverdue?(documentIds: readonly string[]): void;
}

export function openEmbeddedNotifications(deps: EmbeddedNotificationsDeps): { outbox: NotificationOutbox; start(): Promise<void>; stop(): Promise<void> } {
  const settings = deps.config.notifications;
  // the secrets are checked before the outbox is opened: a missing one stops the start with one line
  const sender = createWebhookSender(settings.webhooks, deps.env);
  const outbox = openSqliteOutbox({ path: join(deps.dataDir, 'notifications.db') });
  const notifier = createNotifier({
    events: deps.events,
    outbox,
    sender,
    dueClocks: runningClocksDueBy(deps.readModels),
    clock: deps.clock,
    calendar: deps.calendar,
    dueSoonWorkingDays: settings.dueSoonWorkingDays,
    firstRetryMs: settings.firstRetrySeconds * 1000,
    agencyName: deps.agencyName,
    log: deps.log,
    ...(deps.onBecameOverdue ? { onBecameOverdue: deps.onBecameOverdue } : {}),
  });
  registerOutboxGauge(deps.registry, outbox);
  return {
    outbox,
    start: () => notifier.start(),
    async stop() {
      await notifier.stop();
      await outbox.close();
    },
  };
}
