/**
 * Which way out each attempt of a notice takes in distributed mode: the Kafka topic on the first attempt and again
 * only while Kafka is what failed, then the agency's webhook (a real local receiver). The producer here records
 * what it is handed; the real broker is in test/integration/distributedNotifications.int.spec.ts.
 */
import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import type { ProducerRecord } from 'kafkajs';
import { createKafkaNotificationSender, KAFKA_FAILURE } from '../../../infra/notifications/kafkaRoute.js';
import { createWebhookSender } from '../../../infra/notifications/webhookSender.js';
import type { StoredNotification } from '../../../ports/notifications.js';

const stored = (overrides: Partial<StoredNotification> = {}): StoredNotification => ({
  id: '17:xj-market',
  type: 'handoff_requested',
  agencyId: 'xj-market',
  caseId: 'N1',
  clock: null,
  dueDate: null,
  text: '移送',
  createdAt: '2026-12-03T01:00:00.000Z',
  state: 'pending',
  attempts: 0,
  nextAttemptAt: '2026-12-03T01:00:00.000Z',
  deliveredAt: null,
  lastError: null,
  ...overrides,
});

describe('notifications: the Kafka route beside the webhook', () => {
  let server: Server;
  let hookAnswers: number[];
  let hookCalls: number;
  let produced: ProducerRecord[];
  let kafkaDown: boolean;
  const producer = {
    async send(record: ProducerRecord) {
      if (kafkaDown) throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
      produced.push(record);
      return [];
    },
  };
  const sender = () => {
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    return createKafkaNotificationSender({ producer, topic: 'liandong.notifications', webhooks: createWebhookSender([{ agencyId: 'xj-market', url, secretEnv: 'S' }], { S: 'secret' }) });
  };

  beforeEach(async () => {
    hookAnswers = [];
    hookCalls = 0;
    produced = [];
    kafkaDown = false;
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(hookAnswers[hookCalls++] ?? 204).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterEach(() => new Promise((r) => server.close(r)));

  it('routes every agency (the topic reaches all); an agency without a webhook is done once on the topic', async () => {
    const route = sender();
    expect(route.routes('xj-police')).to.equal(true);
    expect(await route.send(stored({ id: '18:xj-police', agencyId: 'xj-police' }))).to.deep.equal({ ok: true });
    expect(produced.map((r) => [r.topic, r.acks, r.messages[0]!.key, JSON.parse(String(r.messages[0]!.value)).id])).to.deep.equal([['liandong.notifications', -1, 'xj-police', '18:xj-police']]);
    expect(hookCalls).to.equal(0);
  });

  it('a failing webhook is retried without putting the notice on the topic again', async () => {
    hookAnswers = [503];
    const route = sender();
    const first = await route.send(stored());
    expect(first).to.deep.equal({ ok: false, error: '接收方答复 HTTP 503' });
    expect(await route.send(stored({ attempts: 1, lastError: (first as { error: string }).error }))).to.deep.equal({ ok: true });
    expect(produced).to.have.length(1);
    expect(hookCalls).to.equal(2);
  });

  it('Kafka refusing the notice fails the attempt before the webhook; the retry puts it on the topic', async () => {
    kafkaDown = true;
    const route = sender();
    const first = await route.send(stored());
    expect(first.ok).to.equal(false);
    expect((first as { error: string }).error.startsWith(KAFKA_FAILURE)).to.equal(true);
    expect(hookCalls, 'the webhook waits for the topic').to.equal(0);
    kafkaDown = false;
    expect(await route.send(stored({ attempts: 1, lastError: (first as { error: string }).error }))).to.deep.equal({ ok: true });
    expect(produced).to.have.length(1);
    expect(hookCalls).to.equal(1);
  });
});
