/**
 * Notifications in distributed mode on the real servers (operations.md "Notifications"): the PostgreSQL event store
 * and outbox, Redis for the notifier lease and the clocks read model, the Kafka topic `<prefix>notifications` (key =
 * agency id) and a real local webhook receiver. Two replicas run the notifier; only the lease holder sends, and when
 * it stops the other takes over from the outbox's checkpoint: every notice reaches Kafka and the webhook, none twice.
 */
import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import type { Admin, Consumer, KafkaMessage } from 'kafkajs';
import { chineseDaysCalendar } from '../../infra/calendar/chineseDays.js';
import { openPostgresEventStore } from '../../infra/eventStore/postgresEventStore.js';
import { kafkaSettingsFromEnv } from '../../infra/kafka/settings.js';
import { openRedisLease } from '../../infra/lease/redisLease.js';
import { createDistributedNotifications } from '../../infra/notifications/distributedNotifications.js';
import { openPostgresOutbox } from '../../infra/notifications/postgresOutbox.js';
import { signature } from '../../infra/notifications/webhookSender.js';
import { openRedisReadModelStore } from '../../infra/readModels/redisReadModelStore.js';
import { systemClock } from '../../infra/clock.js';
import type { EventMetadata, EventStore } from '../../ports/eventStore.js';
import type { NotificationOutbox } from '../../ports/notifications.js';
import { dropRedisPrefix, dropSchema, isolation, testCityConfig } from './distributedSupport.js';
import { databaseUrl, kafkaBrokers, probeKafka, probePostgres, probeRedis, redisUrl, requireEngine } from './engines.js';
import { cleanUpKafka, runId, testKafka, waitFor } from './kafkaSupport.js';

const SECRET = 'market-secret';
const meta = (source: string, time: string): EventMetadata => ({ source, eventId: null, principal: 'clerk', channel: 'http', time });

describe('distributed notifications (real PostgreSQL, Redis and Kafka)', function () {
  this.timeout(120_000);
  before(requireEngine('postgres', probePostgres));
  before(requireEngine('redis', probeRedis));
  before(requireEngine('kafka', probeKafka));

  const { keyPrefix, schema } = isolation('notify');
  const topicPrefix = `ld-notify-${runId()}.`;
  const groupId = `${topicPrefix}reader`;
  let store: EventStore;
  let outbox: NotificationOutbox;
  let server: Server;
  const received: { id: string; agencyId: string; signed: boolean }[] = [];
  const opened: { close(): Promise<void> }[] = [];
  const replicas: ReturnType<typeof createDistributedNotifications>[] = [];
  let admin: Admin;
  let consumer: Consumer | undefined;
  const onTopic: { key: string; id: string; header: string }[] = [];

  const replica = async (name: string) => {
    const config = testCityConfig();
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
    const withHook = { ...config, notifications: { ...config.notifications, webhooks: [{ agencyId: 'xj-market', url, secretEnv: 'MARKET_HOOK' }], firstRetrySeconds: 1 } };
    const readModels = await openRedisReadModelStore({ url: redisUrl(), keyPrefix });
    const lease = await openRedisLease({ url: redisUrl(), keyPrefix, name: 'notifier', ttlMs: 900, holder: name });
    const own = await openPostgresOutbox({ connectionString: databaseUrl(), schema });
    opened.push(readModels, lease, own);
    const notifications = createDistributedNotifications({
      config: withHook,
      env: { MARKET_HOOK: SECRET },
      events: store,
      outbox: own,
      readModels,
      lease,
      kafka: kafkaSettingsFromEnv({ KAFKA_BROKERS: kafkaBrokers().join(','), KAFKA_TOPIC_PREFIX: topicPrefix, KAFKA_TOPIC_PARTITIONS: '1', KAFKA_LOG_LEVEL: 'nothing' }),
      clock: systemClock,
      calendar: chineseDaysCalendar(config.calendar.years),
      agencyName: (id) => config.agencies.find((a) => a.id === id)?.name ?? id,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      timings: { followMs: 100, deliverMs: 100 },
    });
    replicas.push(notifications);
    await notifications.start();
    return notifications;
  };

  before(async () => {
    store = await openPostgresEventStore({ connectionString: databaseUrl(), schema, clock: systemClock });
    outbox = await openPostgresOutbox({ connectionString: databaseUrl(), schema });
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const notice = JSON.parse(body) as { id: string; agencyId: string };
        received.push({ id: notice.id, agencyId: notice.agencyId, signed: req.headers['x-liandong-signature'] === signature(body, SECRET) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    admin = testKafka().admin();
    await admin.connect();
  });

  after(async () => {
    for (const r of replicas) await r.stop();
    for (const o of opened) await o.close().catch(() => undefined);
    await consumer?.disconnect();
    await cleanUpKafka(admin, topicPrefix, [groupId]);
    await admin.disconnect();
    await outbox?.close();
    await store?.close();
    await new Promise((r) => server?.close(r));
    await dropRedisPrefix(keyPrefix);
    await dropSchema(schema);
  });

  const readTopic = async (): Promise<void> => {
    consumer = testKafka().consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic: `${topicPrefix}notifications`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }: { message: KafkaMessage }) => {
        const value = JSON.parse(message.value!.toString()) as { id: string };
        onTopic.push({ key: message.key!.toString(), id: value.id, header: String(message.headers?.['liandong-notification-id']) });
      },
    });
  };

  const handoff = (handoffId: string, to: string, time: string) => ({
    streamId: 'case-DN1',
    expectedRevision: 'any' as const,
    events: [{ type: 'handoff.requested', data: { handoffId, to, purpose: 'information_notice' }, metadata: meta('xj-proc', time) }],
  });

  it('one replica holds the lease and sends: the topic gets every notice keyed by agency, the webhook the market bureau’s, signed, once', async () => {
    const [a, b] = [await replica('replica-a'), await replica('replica-b')];
    await waitFor('one lease holder', 10_000, () => (a.holdsLease() !== b.holdsLease() ? true : undefined));
    await waitFor('the first follow (checkpoint at the head)', 10_000, async () => ((await outbox.checkpoint()) !== null ? true : undefined));
    await store.append([
      {
        streamId: 'case-DN1',
        expectedRevision: 'no_stream',
        events: [{ type: 'case.registered', data: { kind: 'criminal', title: '分布式通知案', parties: [] }, metadata: meta('xj-proc', '2026-12-01T09:00:00+08:00') }],
      },
    ]);
    await store.append([handoff('h1', 'xj-market', '2026-12-01T10:00:00+08:00')]);
    await store.append([handoff('h2', 'xj-police', '2026-12-01T10:05:00+08:00')]);
    const delivered = await waitFor('both notices delivered', 30_000, async () => {
      const done = await outbox.list({ state: 'delivered', limit: 10 });
      return done.length === 2 ? done : undefined;
    });
    expect(delivered.map((n) => n.agencyId).sort()).to.deep.equal(['xj-market', 'xj-police']);
    await readTopic();
    await waitFor('both notices on the topic', 30_000, () => (onTopic.length >= 2 ? true : undefined));
    expect(onTopic.map((m) => [m.key, m.id, m.header]).sort()).to.deep.equal(delivered.map((n) => [n.agencyId, n.id, n.id]).sort());
    // the webhook: only the market bureau has one; signed with its secret
    expect(received).to.deep.equal([{ id: delivered.find((n) => n.agencyId === 'xj-market')!.id, agencyId: 'xj-market', signed: true }]);
  });

  it('the holder stops: the other replica takes the lease and tells what came after, from the checkpoint, nothing twice', async () => {
    const holder = replicas.find((r) => r.holdsLease())!;
    const other = replicas.find((r) => r !== holder)!;
    await holder.stop(); // releases the lease: the other need not wait for the TTL
    await waitFor('the other replica takes over', 10_000, () => (other.holdsLease() ? true : undefined));
    await store.append([handoff('h3', 'xj-market', '2026-12-01T11:00:00+08:00')]);
    await waitFor('the new notice on the webhook', 30_000, () => (received.length >= 2 ? true : undefined));
    await waitFor('the new notice on the topic', 30_000, () => (onTopic.length >= 3 ? true : undefined));
    await waitFor('stored as delivered', 10_000, async () => ((await outbox.counts()).delivered === 3 ? true : undefined));
    expect(new Set(received.map((r) => r.id)).size, 'no notice sent to the webhook twice').to.equal(received.length);
    expect(new Set(onTopic.map((m) => m.id)).size, 'no notice on the topic twice').to.equal(onTopic.length);
    expect(await outbox.checkpoint()).to.equal(await store.headPosition());
  });
});
