/**
 * The Kafka ingest without a broker: the CloudEvents Kafka binding, and the eachBatch handler's
 * order of work (ingest → report rejections → resolve → commit → heartbeat), with a fake pipeline.
 */
import { expect } from 'chai';
import type { Batch, KafkaMessage } from 'kafkajs';
import type { Agency } from '../../../domain/shared/agencies.js';
import { fixedClock } from '../../../infra/clock.js';
import type { IncomingEvent, IngestResult, Sender } from '../../../infra/ingest/pipeline.js';
import { decodeCloudEvent, encodeBinary, encodeStructured } from '../../../infra/kafka/cloudEventsBinding.js';
import { createBatchHandler, type KafkaRejection } from '../../../infra/kafka/ingestConsumer.js';
import { silentLog } from '../../../infra/kafka/kafkaClient.js';
import { agencyTopic, rejectionsTopic } from '../../../infra/kafka/topics.js';

const event = {
  specversion: '1.0',
  id: 'reg-1',
  source: 'xj-court',
  type: 'case.registered',
  subject: 'XJ-1',
  time: '2024-09-10T09:00:00+08:00',
  data: { kind: 'civil_dispute', title: '买卖合同纠纷', parties: [{ name: '甲', role: 'plaintiff', type: 'person' }] },
};

describe('CloudEvents Kafka binding', () => {
  it('reads structured mode with the cloudevents content type, keeping the value as raw', () => {
    const message = encodeStructured(event);
    expect(message.key).to.equal('XJ-1');
    const decoded = decodeCloudEvent({ value: Buffer.from(message.value as string), headers: { 'content-type': Buffer.from('application/cloudevents+json') } });
    expect(decoded).to.deep.equal({ mode: 'structured', incoming: { value: event, raw: JSON.stringify(event) } });
  });

  it('reads a JSON CloudEvent without any header as structured mode', () => {
    expect(decodeCloudEvent({ value: Buffer.from(JSON.stringify(event)) }).incoming.value).to.deep.equal(event);
  });

  it('gives undefined for a value that is not JSON, and for an empty record', () => {
    expect(decodeCloudEvent({ value: Buffer.from('{"id": ') }).incoming).to.deep.equal({ value: undefined, raw: '{"id": ' });
    expect(decodeCloudEvent({ value: null }).incoming).to.deep.equal({ value: undefined, raw: '' });
  });

  it('reads binary mode: ce_* headers are the attributes, content-type the datacontenttype, the value the data', () => {
    const message = encodeBinary({ ...event, traceparent: '00-1-2-01' });
    const headers = Object.fromEntries(Object.entries(message.headers!).map(([k, v]) => [k, Buffer.from(v as string)]));
    const decoded = decodeCloudEvent({ value: Buffer.from(message.value as string), headers });
    expect(decoded.mode).to.equal('binary');
    expect(decoded.incoming.value).to.deep.equal({ ...event, traceparent: '00-1-2-01', datacontenttype: 'application/json' });
    // the raw record shows what was sent: headers, a blank line, the value
    expect(decoded.incoming.raw).to.equal(
      [
        'content-type: application/json',
        'ce_specversion: 1.0',
        'ce_id: reg-1',
        'ce_source: xj-court',
        'ce_type: case.registered',
        'ce_subject: XJ-1',
        'ce_time: 2024-09-10T09:00:00+08:00',
        'ce_traceparent: 00-1-2-01',
        '',
        JSON.stringify(event.data),
      ].join('\n'),
    );
  });

  it('keeps binary data that is not JSON as text, so the envelope check names it', () => {
    const decoded = decodeCloudEvent({ value: Buffer.from('not json'), headers: { ce_specversion: '1.0', ce_id: 'x' } });
    expect(decoded.incoming.value).to.deep.equal({ specversion: '1.0', id: 'x', data: 'not json' });
  });

  it('names topics by prefix', () => {
    expect(agencyTopic('liandong.', 'xj-court')).to.equal('liandong.agency.xj-court');
    expect(rejectionsTopic('liandong.')).to.equal('liandong.rejections');
  });
});

describe('eachBatch handler', () => {
  const court: Agency = { id: 'xj-court', kind: 'court', name: '新津区人民法院' };
  const topic = 'liandong.agency.xj-court';
  const message = (offset: number, value: string): KafkaMessage =>
    ({ offset: String(offset), key: Buffer.from('XJ-1'), value: Buffer.from(value), headers: {}, timestamp: '0', attributes: 0 }) as KafkaMessage;

  function harness(options: { values: string[]; chunkSize: number; answer?: (batch: IncomingEvent[]) => IngestResult[]; running?: () => boolean; topic?: string }) {
    const log: string[] = [];
    const senders: Sender[] = [];
    const published: KafkaRejection[] = [];
    const pipeline = {
      ingest: async (batch: IncomingEvent[], sender: Sender) => {
        senders.push(sender);
        log.push(`ingest ${batch.length}`);
        return options.answer ? options.answer(batch) : batch.map((b) => ({ id: (b.value as { id: string }).id, status: 'accepted' as const, position: '1' }));
      },
    };
    const handler = createBatchHandler({
      pipeline,
      agencyOfTopic: (t) => (t === topic ? court : null),
      publishRejections: async (r) => {
        published.push(...r);
        log.push(`publish ${r.length}`);
      },
      chunkSize: options.chunkSize,
      clock: fixedClock('2024-09-10T01:00:00Z'),
      log: silentLog,
    });
    const batch = {
      topic: options.topic ?? topic,
      partition: 3,
      messages: options.values.map((v, i) => message(100 + i, v)),
    } as unknown as Batch;
    const run = () =>
      handler({
        batch,
        resolveOffset: (o) => void log.push(`resolve ${o}`),
        heartbeat: async () => void log.push('heartbeat'),
        commitOffsetsIfNecessary: async () => void log.push('commit?'),
        isRunning: options.running ?? (() => true),
        isStale: () => false,
        pause: () => (log.push('pause'), () => undefined),
      });
    return { run, log, senders, published };
  }

  const ids = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ id: `e${i}` }));

  it('hands the partition to the pipeline in chunks, in order, resolving each chunk only after it is stored', async () => {
    const h = harness({ values: ids(5), chunkSize: 2 });
    await h.run();
    expect(h.log).to.deep.equal([
      'ingest 2', 'resolve 101', 'commit?', 'heartbeat',
      'ingest 2', 'resolve 103', 'commit?', 'heartbeat',
      'ingest 1', 'resolve 104', 'commit?', 'heartbeat',
    ]);
    expect(h.senders[0]).to.deep.equal({ agency: court, principal: null, channel: 'kafka' });
  });

  it('publishes a chunk’s rejections before resolving it, with the Kafka coordinates', async () => {
    const h = harness({
      values: ids(2),
      chunkSize: 10,
      answer: () => [
        { id: 'e0', status: 'accepted', position: '7' },
        { id: 'e1', status: 'rejected', code: 'unknown_type', message: '未知事件类型' },
      ],
    });
    await h.run();
    expect(h.log).to.deep.equal(['ingest 2', 'publish 1', 'resolve 101', 'commit?', 'heartbeat']);
    expect(h.published[0]).to.deep.include({ code: 'unknown_type', eventId: 'e1', agencyId: 'xj-court', topic, partition: 3, offset: '101', key: 'XJ-1', mode: 'structured', raw: '{"id":"e1"}' });
  });

  it('resolves nothing of a chunk the pipeline failed on (it is redelivered)', async () => {
    const h = harness({
      values: ids(4),
      chunkSize: 2,
      answer: (b) => {
        if ((b[0]!.value as { id: string }).id === 'e2') throw new Error('store unavailable');
        return b.map(() => ({ id: null, status: 'accepted' as const, position: '1' }));
      },
    });
    let error: unknown;
    await h.run().catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal('store unavailable');
    expect(h.log).to.deep.equal(['ingest 2', 'resolve 101', 'commit?', 'heartbeat', 'ingest 2']);
  });

  it('stops between chunks when the consumer is stopping, leaving the rest unresolved', async () => {
    let chunks = 0;
    const h = harness({ values: ids(6), chunkSize: 2, running: () => chunks < 1, answer: (b) => (chunks++, b.map(() => ({ id: null, status: 'accepted' as const, position: '1' }))) });
    await h.run();
    expect(h.log).to.deep.equal(['ingest 2', 'resolve 101', 'commit?', 'heartbeat']);
  });

  it('pauses a topic of an agency it does not know, without resolving or ingesting anything', async () => {
    const h = harness({ values: ids(3), chunkSize: 2, topic: 'liandong.agency.xj-unknown' });
    await h.run();
    expect(h.log).to.deep.equal(['pause']);
  });
});
