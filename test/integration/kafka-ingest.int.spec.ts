/**
 * The Kafka ingest against the real broker, in this process: both CloudEvents bindings, duplicates on
 * redelivery, and bad input that lands on the rejections topic and in the rejection store without
 * stalling its partition.
 */
import { expect } from 'chai';
import type { Admin, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { encodeBinary } from '../../infra/kafka/cloudEventsBinding.js';
import type { KafkaRejection } from '../../infra/kafka/ingestConsumer.js';
import { agencyTopic, rejectionsTopic } from '../../infra/kafka/topics.js';
import { probeKafka, requireEngine } from './engines.js';
import {
  caseScript,
  cleanUpKafka,
  cloudEvent,
  connectedProducer,
  runId,
  startInProcessIngest,
  structured,
  testKafka,
  waitFor,
  type InProcessIngest,
} from './kafkaSupport.js';

/** reads a topic from the beginning with a throwaway group until `count` records arrived */
async function readTopic(kafka: Kafka, groupId: string, topic: string, count: number, timeoutMs = 30_000): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, sessionTimeout: 10_000 });
  const seen: KafkaMessage[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
    await waitFor(`${count} records on ${topic}`, timeoutMs, () => (seen.length >= count ? true : undefined));
    return seen;
  } finally {
    await consumer.disconnect();
  }
}

describe('Kafka ingest (real broker): bindings, duplicates, rejections', function () {
  this.timeout(120_000);
  before(requireEngine('kafka', probeKafka));

  const run = runId();
  const prefix = `liandong-int.${run}.`;
  const groups: string[] = [];
  const group = (name: string) => {
    const g = `liandong-int-${name}-${run}`;
    groups.push(g);
    return g;
  };
  const court = agencyTopic(prefix, 'xj-court');
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let ingest: InProcessIngest;

  before(async function () {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    ingest = await startInProcessIngest({ prefix, groupId: group('main') });
    producer = await connectedProducer(kafka);
  });

  after(async function () {
    await ingest?.stop().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    if (admin) {
      await cleanUpKafka(admin, prefix, groups);
      await admin.disconnect();
    }
    await ingest?.store.close();
  });

  const resultFor = (id: string) => ingest.reports.flatMap((r) => r.results).filter((x) => x.id === id);
  const waitForResults = (id: string, n = 1) => waitFor(`${n} result(s) for ${id}`, 30_000, () => (resultFor(id).length >= n ? resultFor(id) : undefined));

  it('created every agency topic with 4 partitions, and the rejections topic', async function () {
    const meta = await admin.fetchTopicMetadata({ topics: [court, agencyTopic(prefix, 'xj-market'), rejectionsTopic(prefix)] });
    expect(meta.topics.map((t) => t.partitions.length)).to.deep.equal([4, 4, 4]);
  });

  it('accepts a structured event and a binary one (ce_* headers, data as the value), keyed by subject', async function () {
    const [registration] = caseScript('xj-court', 'xj-justice', 9001);
    const [binaryRegistration] = caseScript('xj-court', 'xj-justice', 9002);
    const binary = encodeBinary({ ...binaryRegistration!, datacontenttype: 'application/json', traceparent: '00-abc-def-01' });
    expect(binary.headers).to.include({ ce_id: binaryRegistration!.id, ce_source: 'xj-court', ce_subject: binaryRegistration!.subject, 'content-type': 'application/json' });
    await producer.send({ topic: court, acks: -1, messages: [structured(registration!), binary] });

    expect((await waitForResults(registration!.id))[0]).to.include({ status: 'accepted' });
    expect((await waitForResults(binaryRegistration!.id))[0]).to.include({ status: 'accepted' });
    const [stored] = await ingest.store.readStream(`case-${binaryRegistration!.subject}`);
    expect(stored!.data).to.deep.include({ kind: 'civil_dispute', title: binaryRegistration!.data.title });
    expect(stored!.metadata).to.deep.include({ source: 'xj-court', eventId: binaryRegistration!.id, channel: 'kafka', subject: binaryRegistration!.subject });
    // an unknown ce_* attribute is kept as an extension, as in structured mode
    expect(stored!.metadata.extensions).to.deep.equal({ traceparent: '00-abc-def-01' });
  });

  it('answers a redelivered message with duplicate and stores nothing new', async function () {
    const [registration, request] = caseScript('xj-court', 'xj-justice', 9003);
    await producer.send({ topic: court, acks: -1, messages: [structured(registration!), structured(request!)] });
    await waitForResults(request!.id);
    const before = (await ingest.store.readAll()).length;
    const rejectedBefore = (await ingest.rejections.list({ first: 1000 })).totalCount;

    // the same bytes again (an agency resending after a timeout), in both bindings
    await producer.send({ topic: court, acks: -1, messages: [structured(registration!), encodeBinary(request!)] });
    const again = await waitForResults(request!.id, 2);
    expect(again[1]).to.include({ status: 'duplicate' });
    expect((await waitForResults(registration!.id, 2))[1]).to.include({ status: 'duplicate' });
    expect((await ingest.store.readAll()).length).to.equal(before);
    expect((await ingest.rejections.list({ first: 1000 })).totalCount).to.equal(rejectedBefore);
  });

  it('answers duplicate for everything when another consumer group re-reads the topics (Kafka redelivery)', async function () {
    const before = await ingest.store.readAll();
    const replay = await startInProcessIngest({ prefix, groupId: group('replay'), store: ingest.store });
    try {
      // everything on the court topic so far: 2 + 2 + 2 messages
      await waitFor('the replay to re-read 6 messages', 30_000, () => (replay.reports.flatMap((r) => r.results).length >= 6 ? true : undefined));
      const statuses = replay.reports.flatMap((r) => r.results).map((r) => r.status);
      expect(new Set(statuses)).to.deep.equal(new Set(['duplicate']));
      expect((await ingest.store.readAll()).length).to.equal(before.length);
    } finally {
      await replay.stop();
    }
  });

  it('sends bad input to the rejections topic with its code, keeps it, and does not stall the partition', async function () {
    const subject = 'XJ-COURT-POISON';
    const key = subject; // one key: all on one partition, behind each other
    const wrongSource = cloudEvent('xj-proc', 'poison-2', 'case.registered', subject, '2024-09-10T09:00:00+08:00', {
      kind: 'civil_dispute',
      title: '冒名发布',
      parties: [{ name: '甲', role: 'plaintiff', type: 'person' }],
    });
    const unknownType = cloudEvent('xj-court', 'poison-3', 'case.teleported', subject, '2024-09-10T09:00:00+08:00', {});
    const noId = encodeBinary(cloudEvent('xj-court', 'poison-4', 'case.closed', subject, '2024-09-10T09:00:00+08:00', { outcome: 'other' }));
    delete (noId.headers as Record<string, unknown>).ce_id;
    const good = cloudEvent('xj-court', 'poison-5', 'case.registered', subject, '2024-09-10T09:05:00+08:00', {
      kind: 'civil_dispute',
      title: '排在坏消息之后的正常事件',
      parties: [{ name: '乙', role: 'plaintiff', type: 'person' }],
    });
    await producer.send({
      topic: court,
      acks: -1,
      messages: [
        { key, value: '{"specversion": "1.0", "id": "poison-1", ', headers: { 'content-type': 'application/cloudevents+json' } },
        { ...structured(wrongSource), key },
        { ...structured(unknownType), key },
        { ...noId, key },
        { ...structured(good), key },
      ],
    });

    expect((await waitForResults('poison-5'))[0]).to.include({ status: 'accepted' });
    const records = (await readTopic(kafka, group('reader'), rejectionsTopic(prefix), 4)).map((m) => ({ key: m.key?.toString(), value: JSON.parse(m.value!.toString()) as KafkaRejection }));
    expect(records).to.have.length(4);
    expect(records.map((r) => r.key)).to.deep.equal(['xj-court', 'xj-court', 'xj-court', 'xj-court']);
    expect(records.map((r) => [r.value.code, r.value.eventId, r.value.mode])).to.deep.equal([
      ['invalid_envelope', null, 'structured'],
      ['unauthorized', 'poison-2', 'structured'],
      ['unknown_type', 'poison-3', 'structured'],
      ['invalid_envelope', null, 'binary'],
    ]);
    const partition = records[0]!.value.partition;
    const offsets = records.map((r) => Number(r.value.offset));
    for (const r of records) expect(r.value).to.include({ topic: court, partition, agencyId: 'xj-court', channel: 'kafka', key: subject });
    expect(offsets).to.deep.equal([offsets[0], offsets[0]! + 1, offsets[0]! + 2, offsets[0]! + 3]);
    expect(records[0]!.value.raw).to.equal('{"specversion": "1.0", "id": "poison-1", ');
    expect(records[1]!.value).to.include({ source: 'xj-proc', eventType: 'case.registered' });
    expect(records[1]!.value.message).to.contain('xj-proc');
    expect(records[2]!.value.message).to.contain('case.teleported');
    // binary: the raw record shows the headers that were sent, then the value
    expect(records[3]!.value.raw).to.match(/^ce_specversion: 1\.0\n/m);
    expect(records[3]!.value.raw).to.contain('ce_source: xj-court');
    expect(records[3]!.value.raw).not.to.contain('ce_id:');
    expect(records[3]!.value.raw).to.contain('\n\n{"outcome":"other"}');
    expect(records[3]!.value.message).to.contain('id');

    // kept in the rejection store too, filed under the topic's agency
    const kept = (await ingest.rejections.list({ agencyId: 'xj-court', first: 100 })).nodes;
    expect(kept.map((r) => [r.code, r.eventId, r.channel])).to.deep.equal([
      ['invalid_envelope', null, 'kafka'],
      ['unauthorized', 'poison-2', 'kafka'],
      ['unknown_type', 'poison-3', 'kafka'],
      ['invalid_envelope', null, 'kafka'],
    ]);
    expect(kept.map((r) => r.raw)).to.deep.equal(records.map((r) => r.value.raw));
    expect(await ingest.store.readStream(`case-${subject}`)).to.have.length(1);
  });

  it('retries a chunk the store failed on instead of skipping it (nothing lost, nothing doubled)', async function () {
    const prefix2 = `${prefix}retry.`;
    let failures = 0;
    const flaky = await startInProcessIngest({
      prefix: prefix2,
      groupId: group('retry'),
      wrapPipeline: (pipeline) => ({
        ingest: async (batch, sender) => {
          // the store "goes away" for the first two calls that carry the second case
          if (failures < 2 && batch.some((b) => (b.value as { subject?: string } | undefined)?.subject === 'XJ-COURT-9102')) {
            failures++;
            throw new Error('store unavailable (test)');
          }
          return pipeline.ingest(batch, sender);
        },
      }),
    });
    try {
      const events = [...caseScript('xj-court', 'xj-justice', 9101), ...caseScript('xj-court', 'xj-justice', 9102)];
      await producer.send({ topic: agencyTopic(prefix2, 'xj-court'), acks: -1, messages: events.map(structured) });
      await waitFor('both cases stored', 60_000, async () => ((await flaky.store.readStream('case-XJ-COURT-9102')).length === 5 ? true : undefined), 100);
      expect(failures).to.equal(2);
      const stored = await flaky.store.readAll();
      expect(stored.map((e) => e.metadata.eventId).sort()).to.deep.equal(events.map((e) => e.id).sort());
      expect((await flaky.store.readStream('case-XJ-COURT-9101')).map((e) => e.metadata.eventId)).to.deep.equal(events.slice(0, 5).map((e) => e.id));
    } finally {
      await flaky.stop();
      await flaky.store.close();
    }
  });
});
