/**
 * The real Kafka broker (scripts/services.sh or docker-compose) works with kafkajs the way the
 * distributed mode uses it: keyed messages on a multi-partition topic, read by a consumer group,
 * per-key order preserved.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { waitForUsablePartitions } from '../../infra/kafka/ensureTopics.js';
import { kafkaBrokers, probeKafka, requireEngine } from './engines.js';

const PARTITIONS = 4;
const KEYS = 10;
const MESSAGES = 1000;

describe('Kafka (real broker, kafkajs)', function () {
  this.timeout(120_000);

  before(requireEngine('kafka', probeKafka));

  const runId = randomUUID().slice(0, 8);
  const topic = `liandong.int.kafka-order.${runId}`;
  const groupId = `liandong-int-kafka-order-${runId}`;
  let kafka: Kafka;
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;

  before(async function () {
    kafka = new Kafka({
      clientId: 'liandong-int-test',
      brokers: kafkaBrokers(),
      logLevel: logLevel.NOTHING,
      retry: { retries: 5 },
    });
    admin = kafka.admin();
    await admin.connect();
  });

  after(async function () {
    await consumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    if (admin) {
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
  });

  it(`creates a ${PARTITIONS}-partition topic, delivers ${MESSAGES} keyed messages to a consumer group in per-key order`, async function () {
    const created = await admin!.createTopics({
      topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    expect(created, 'topic newly created').to.equal(true);
    // KRaft: leaders in the metadata come before the partitions are hosted (infra/kafka/ensureTopics.ts)
    await waitForUsablePartitions(admin!, [topic], 30_000);
    const meta = await admin!.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).to.have.length(PARTITIONS);

    // Produce: key k-i gets sequence numbers 0..99, interleaved across keys.
    producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    const perKey = MESSAGES / KEYS;
    const BATCH = 100;
    for (let start = 0; start < MESSAGES; start += BATCH) {
      const messages = [];
      for (let i = start; i < start + BATCH; i++) {
        const key = `case-${i % KEYS}`;
        const seq = Math.floor(i / KEYS);
        messages.push({ key, value: JSON.stringify({ key, seq }) });
      }
      // Awaiting each batch keeps the order across batches (no overlapping in-flight sends).
      await producer.send({ topic, acks: -1, messages });
    }

    // Consume with a consumer group from the beginning.
    const received = new Map<string, number[]>();
    const partitionsOfKey = new Map<string, Set<number>>();
    let count = 0;
    // Short fetch wait so disconnect() in `after` does not sit out a 5 s long-poll.
    consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 250 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${count}/${MESSAGES} messages consumed within 90 s`)),
        90_000,
      );
      consumer!
        .run({
          eachMessage: async ({ partition, message }) => {
            const key = message.key?.toString() ?? '';
            const body = JSON.parse(message.value?.toString() ?? '{}') as { key: string; seq: number };
            expect(body.key).to.equal(key);
            if (!received.has(key)) received.set(key, []);
            received.get(key)!.push(body.seq);
            if (!partitionsOfKey.has(key)) partitionsOfKey.set(key, new Set());
            partitionsOfKey.get(key)!.add(partition);
            count++;
            if (count >= MESSAGES) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await done;

    expect(count).to.equal(MESSAGES);
    expect([...received.keys()].sort()).to.deep.equal(
      Array.from({ length: KEYS }, (_, k) => `case-${k}`).sort(),
    );
    const expectedSeqs = Array.from({ length: perKey }, (_, s) => s);
    for (const [key, seqs] of received) {
      expect(seqs, `per-key order for ${key}`).to.deep.equal(expectedSeqs);
      expect(partitionsOfKey.get(key)?.size, `${key} lives on one partition`).to.equal(1);
    }
    // The 10 keys actually spread over more than one partition (the group really read several).
    const usedPartitions = new Set([...partitionsOfKey.values()].flatMap((s) => [...s]));
    expect(usedPartitions.size).to.be.greaterThan(1);
  });
});
