/**
 * events.md §2: no part of an event may nest deeper than 32 levels of objects and arrays → `invalid_envelope`,
 * kept with its raw bytes like any other rejection, and the other events of the batch each answered on their
 * own. Through the pipeline (HTTP and Kafka share it) and through the Kafka eachBatch handler with the real
 * pipeline behind it (structured and binary binding), without a broker.
 *
 * Deep values are built as text and parsed (JSON.parse does not recurse); JSON.stringify would overflow.
 */
import { expect } from 'chai';
import type { Batch, KafkaMessage } from 'kafkajs';
import type { Agency } from '../../../domain/shared/agencies.js';
import { fixedClock } from '../../../infra/clock.js';
import { openSqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { createIngestPipeline, type IncomingEvent, type Sender } from '../../../infra/ingest/pipeline.js';
import { createValidator } from '../../../infra/ingest/validator.js';
import { createBatchHandler, type KafkaRejection } from '../../../infra/kafka/ingestConsumer.js';
import { silentLog } from '../../../infra/kafka/kafkaClient.js';
import { openSqliteRejectionStore } from '../../../infra/rejections/sqliteRejectionStore.js';

const agencies = new Map<string, Agency>([
  ['xj-court', { id: 'xj-court', kind: 'court', name: '新津区人民法院' }],
  ['xj-gov', { id: 'xj-gov', kind: 'government', name: '新津区人民政府' }],
]);
const court: Sender = { agency: agencies.get('xj-court')!, principal: 'court-system', channel: 'http' };

/** `levels` objects nested in one another, as JSON text: {"a":{"a":…1…}} */
const deepObject = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
/** `levels` arrays nested in one another: [[[…]]] */
const deepArray = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

const data = { kind: 'civil_dispute', title: '买卖合同纠纷', parties: [{ name: '某公司', role: 'plaintiff', type: 'enterprise' }] };
/** a case.registered whose text carries `extra` (already JSON text) as a member of the envelope */
function registerText(id: string, subject: string, extra = ''): string {
  return `{"specversion":"1.0","id":"${id}","source":"xj-court","type":"case.registered","subject":"${subject}","time":"2024-09-10T09:00:00+08:00"${extra},"data":${JSON.stringify(data)}}`;
}
const incoming = (raw: string): IncomingEvent => ({ value: JSON.parse(raw) as unknown, raw });

function platform() {
  const store = openSqliteEventStore({ path: ':memory:' });
  const rejections = openSqliteRejectionStore({ database: store.database });
  const pipeline = createIngestPipeline({ store, rejections, validator: createValidator(), agencies, copyNoticeRecipients: ['xj-gov'], clock: fixedClock('2024-09-20T00:00:00Z') });
  return { store, rejections, pipeline };
}

describe('ingest: nesting deeper than 32 levels (events.md §2)', () => {
  it('accepts an event nesting exactly 32 levels, and rejects-and-keeps one nesting 33 as invalid_envelope', async () => {
    const { pipeline, rejections, store } = platform();
    // the envelope is level 1, so an extension of 31 nested objects makes 32 levels, of 32 makes 33
    const ok = incoming(registerText('e32', 'C-1', `,"ext":${deepObject(31)}`));
    const deep = incoming(registerText('e33', 'C-2', `,"ext":${deepObject(32)}`));
    const results = await pipeline.ingest([ok, deep], court);
    expect(results.map((r) => r.status)).to.deep.equal(['accepted', 'rejected']);
    expect(results[1]).to.deep.include({ id: 'e33', code: 'invalid_envelope' });
    expect((results[1] as { message: string }).message).to.match(/嵌套.*32 层/);
    const kept = await rejections.list({ agencyId: 'xj-court', first: 10 });
    expect(kept.nodes.map((n) => [n.code, n.eventId, n.eventType, n.raw])).to.deep.equal([['invalid_envelope', 'e33', 'case.registered', deep.raw]]);
    expect(await store.readStream('case-C-2')).to.have.length(0);
  });

  it('counts arrays as levels too, and nesting inside data is invalid_envelope as well (before the catalog check)', async () => {
    const { pipeline } = platform();
    const inArray = incoming(registerText('a33', 'C-1', `,"ext":${deepArray(32)}`));
    const raw = registerText('d40', 'C-2').replace('"parties":[', `"parties":[${deepArray(40)},`);
    const results = await pipeline.ingest([inArray, incoming(raw)], court);
    expect(results.map((r) => [r.status, 'code' in r ? r.code : null])).to.deep.equal([
      ['rejected', 'invalid_envelope'],
      ['rejected', 'invalid_envelope'],
    ]);
  });

  it('rejects an event nested 5,000 and 200,000 levels alone: the rest of the batch is accepted, duplicate or rejected on its own', async () => {
    const { pipeline, rejections, store } = platform();
    await pipeline.ingest([incoming(registerText('first', 'C-0'))], court);
    const batch = [
      incoming(registerText('first', 'C-0')), // a resend: duplicate
      incoming(registerText('deep5k', 'C-1', `,"ext":${deepObject(5_000)}`)),
      incoming(registerText('ok', 'C-2')),
      incoming(registerText('deep200k', 'C-3', `,"ext":${deepArray(200_000)}`)),
      incoming(registerText('ok', 'C-2').replace('"civil_dispute"', '"no-such-kind"').replace('"id":"ok"', '"id":"bad-kind"')),
    ];
    const results = await pipeline.ingest(batch, court);
    expect(results.map((r) => [r.id, r.status, 'code' in r ? r.code : null])).to.deep.equal([
      ['first', 'duplicate', null],
      ['deep5k', 'rejected', 'invalid_envelope'],
      ['ok', 'accepted', null],
      ['deep200k', 'rejected', 'invalid_envelope'],
      ['bad-kind', 'rejected', 'invalid_data'],
    ]);
    expect((await store.readStream('case-C-2')).map((e) => e.type)).to.deep.equal(['case.registered']);
    const kept = await rejections.list({ agencyId: 'xj-court', first: 10 });
    const byId = new Map(kept.nodes.map((n) => [n.eventId, n]));
    expect(byId.get('deep5k')!.raw).to.equal(batch[1]!.raw);
    expect(byId.get('deep200k')!.raw).to.equal(batch[3]!.raw);
  });
});

describe('Kafka ingest: an over-deep message is rejected-and-kept, the consumer goes on', () => {
  const topic = 'liandong.agency.xj-court';
  const message = (offset: number, value: string, headers: Record<string, string> = {}): KafkaMessage =>
    ({
      offset: String(offset),
      key: Buffer.from('C-1'),
      value: Buffer.from(value),
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
      timestamp: '0',
      attributes: 0,
    }) as KafkaMessage;

  it('structured and binary binding: invalid_envelope, published and kept; the valid message of the chunk is stored; the offsets resolved', async () => {
    const { pipeline, rejections, store } = platform();
    const published: KafkaRejection[] = [];
    const resolved: string[] = [];
    const handler = createBatchHandler({
      pipeline,
      agencyOfTopic: (t) => (t === topic ? agencies.get('xj-court')! : null),
      publishRejections: async (r) => void published.push(...r),
      chunkSize: 10,
      clock: fixedClock('2024-09-20T00:00:00Z'),
      log: silentLog,
    });
    const structuredDeep = registerText('k-struct', 'C-1', `,"ext":${deepObject(5_000)}`);
    const binaryHeaders = {
      'content-type': 'application/json',
      ce_specversion: '1.0',
      ce_id: 'k-binary',
      ce_source: 'xj-court',
      ce_type: 'case.registered',
      ce_subject: 'C-2',
      ce_time: '2024-09-10T09:00:00+08:00',
    };
    const binaryDeepData = `{"kind":"civil_dispute","title":"t","parties":[],"x":${deepArray(100_000)}}`;
    const batch = {
      topic,
      partition: 0,
      messages: [
        message(10, structuredDeep, { 'content-type': 'application/cloudevents+json' }),
        message(11, binaryDeepData, binaryHeaders),
        message(12, registerText('k-ok', 'C-3')),
        message(13, registerText('k-33', 'C-4', `,"ext":${deepObject(32)}`)),
      ],
    } as unknown as Batch;
    await handler({
      batch,
      resolveOffset: (o) => void resolved.push(o),
      heartbeat: async () => undefined,
      commitOffsetsIfNecessary: async () => undefined,
      isRunning: () => true,
      isStale: () => false,
      pause: () => () => undefined,
    });
    expect(resolved).to.deep.equal(['13']);
    expect(published.map((r) => [r.eventId, r.code, r.mode, r.offset])).to.deep.equal([
      ['k-struct', 'invalid_envelope', 'structured', '10'],
      ['k-binary', 'invalid_envelope', 'binary', '11'],
      ['k-33', 'invalid_envelope', 'structured', '13'],
    ]);
    expect(published[0]!.raw).to.equal(structuredDeep);
    expect(published[1]!.raw.endsWith(`\n\n${binaryDeepData}`)).to.equal(true);
    const kept = await rejections.list({ agencyId: 'xj-court', first: 10 });
    expect(kept.nodes.map((n) => [n.eventId, n.code, n.channel]).sort()).to.deep.equal([
      ['k-33', 'invalid_envelope', 'kafka'],
      ['k-binary', 'invalid_envelope', 'kafka'],
      ['k-struct', 'invalid_envelope', 'kafka'],
    ]);
    expect(await store.readStream('case-C-3')).to.have.length(1);
  });
});
