/**
 * Notifications in distributed mode (operations.md "Notifications"): the outbox in PostgreSQL beside the rejections,
 * the notifier in whichever `liandong project` replica holds the lease `notifier` (one at a time, so a notice is not
 * sent by every replica), following the event store and the clocks read model in Redis, delivering to the agencies'
 * webhooks and, when KAFKA_BROKERS is set, to the topic `liandong.notifications`.
 */
import { Gauge, type Registry } from 'prom-client';
import { Partitioners, type Producer } from 'kafkajs';
import { createNotifier, type Notifier } from '../../application/notifier.js';
import type { WorkingDayCalendar } from '../../domain/deadlines/index.js';
import type { Clock } from '../../ports/clock.js';
import type { EventStore } from '../../ports/eventStore.js';
import type { Lease } from '../../ports/lease.js';
import type { NotificationOutbox, NotificationSender } from '../../ports/notifications.js';
import type { ReadModelStore } from '../../ports/readModelStore.js';
import { runningClocksDueBy } from '../../projections/clocks/dueClocks.js';
import type { PlatformConfig } from '../config/schema.js';
import { createKafka, type Log } from '../kafka/kafkaClient.js';
import type { KafkaSettings } from '../kafka/settings.js';
import { ensureTopics } from '../kafka/ensureTopics.js';
import { notificationsTopic } from '../kafka/topics.js';
import { createLeasedWorker } from '../lease/leasedWorker.js';
import { createKafkaNotificationSender } from './kafkaRoute.js';
import { registerOutboxGauge } from './outboxGauge.js';
import { createWebhookSender } from './webhookSender.js';

export interface DistributedNotificationsDeps {
  config: PlatformConfig;
  env: NodeJS.ProcessEnv;
  events: EventStore;
  outbox: NotificationOutbox;
  /** the clocks read model (Redis), read only */
  readModels: ReadModelStore;
  lease: Lease;
  /** null: webhooks only */
  kafka: KafkaSettings | null;
  clock: Clock;
  calendar: WorkingDayCalendar;
  agencyName(id: string): string;
  registry?: Registry;
  log: Log;
  /** clocks-read-model documents of clocks that became overdue (for live views) */
  onBecameOverdue?(documentIds: readonly string[]): void;
  /** test hooks: how often the notifier looks (defaults as in embedded mode) */
  timings?: { followMs?: number; deliverMs?: number; clockScanMs?: number };
}

export function createDistributedNotifications(deps: DistributedNotificationsDeps) {
  const settings = deps.config.notifications;
  // a missing secret stops the start with one line, before anything is connected
  const webhooks = createWebhookSender(settings.webhooks, deps.env);
  const kafkaOut = deps.kafka ? openKafkaOut(deps.kafka, deps.log) : null;
  const sender: NotificationSender = kafkaOut ? createKafkaNotificationSender({ producer: kafkaOut, topic: kafkaOut.topic, webhooks }) : webhooks;
  let notifier: Notifier | null = null;

  const worker = createLeasedWorker({
    lease: deps.lease,
    what: '发送通知（催办/预警）',
    log: deps.log,
    // a new notifier each term: it picks up at the outbox's checkpoint, where the previous holder left off
    async start() {
      notifier = createNotifier({
        events: deps.events,
        outbox: deps.outbox,
        sender,
        dueClocks: runningClocksDueBy(deps.readModels),
        clock: deps.clock,
        calendar: deps.calendar,
        dueSoonWorkingDays: settings.dueSoonWorkingDays,
        firstRetryMs: settings.firstRetrySeconds * 1000,
        agencyName: deps.agencyName,
        log: deps.log,
        ...(deps.onBecameOverdue ? { onBecameOverdue: deps.onBecameOverdue } : {}),
        ...deps.timings,
      });
      // not awaited: the first passes over a long log must not hold up the lease renewals
      void notifier.start();
    },
    async stop() {
      await notifier?.stop();
      notifier = null;
    },
  });

  if (deps.registry) {
    registerOutboxGauge(deps.registry, deps.outbox);
    new Gauge({
      name: 'liandong_notifier_lease_owner',
      help: '1 while this replica holds the notifier lease and sends the notifications',
      registers: [deps.registry],
      collect() {
        this.set(worker.holds() ? 1 : 0);
      },
    });
  }

  return {
    /** where the notices go, for the banner */
    routes: (): string => `webhook ${settings.webhooks.length} 个${deps.kafka ? `；Kafka 主题 ${notificationsTopic(deps.kafka.topicPrefix)}` : ''}`,
    async start(): Promise<void> {
      await worker.start();
    },
    async stop(): Promise<void> {
      await worker.stop();
      await kafkaOut?.close();
    },
    holdsLease: (): boolean => worker.holds(),
  };
}

/**
 * The producer of the notifications topic, connected (and the topic made) on the first send, and again after a
 * failure: a broker that is down when the projector starts makes notices wait and be retried, not the start fail.
 */
function openKafkaOut(settings: KafkaSettings, log: Log): Pick<Producer, 'send'> & { topic: string; close(): Promise<void> } {
  const kafka = createKafka(settings, log);
  const topic = notificationsTopic(settings.topicPrefix);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  let ready: Promise<Producer> | null = null;
  const connect = async (): Promise<Producer> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [topic], { partitions: settings.topicPartitions, replicationFactor: settings.replicationFactor });
    } finally {
      await admin.disconnect();
    }
    await producer.connect();
    return producer;
  };
  return {
    topic,
    async send(record) {
      ready ??= connect().catch((error: unknown) => {
        ready = null;
        throw error;
      });
      return (await ready).send(record);
    },
    async close() {
      if (ready) await producer.disconnect().catch(() => undefined);
    },
  };
}
