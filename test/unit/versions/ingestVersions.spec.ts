/**
 * dataschema through the ingest pipeline (HTTP and Kafka share it): checked, kept in the stored metadata, and an
 * old version decided and folded with its own meaning.
 */
import { expect } from 'chai';
import { loadStream } from '../../../application/commandHandler.js';
import type { CaseState } from '../../../domain/cases/case.js';
import type { Agency } from '../../../domain/shared/agencies.js';
import { fixedClock } from '../../../infra/clock.js';
import { openSqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { createIngestPipeline, type IncomingEvent, type Sender } from '../../../infra/ingest/pipeline.js';
import { createValidator } from '../../../infra/ingest/validator.js';
import { decodeCloudEvent, encodeBinary } from '../../../infra/kafka/cloudEventsBinding.js';
import { openSqliteRejectionStore } from '../../../infra/rejections/sqliteRejectionStore.js';

const agencies = new Map<string, Agency>([
  ['xj-police', { id: 'xj-police', kind: 'police', name: '新津区公安分局' }],
  ['xj-proc', { id: 'xj-proc', kind: 'procuratorate', name: '新津区人民检察院' }],
]);
const police: Sender = { agency: agencies.get('xj-police')!, principal: 'police-system', channel: 'http' };
const proc: Sender = { agency: agencies.get('xj-proc')!, principal: 'proc-system', channel: 'kafka' };

let n = 0;
const cloudEvent = (source: string, type: string, time: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id: `v-${++n}`,
  source,
  type,
  subject: 'XS-1',
  time,
  data,
  ...extra,
});
const incoming = (value: Record<string, unknown>): IncomingEvent => ({ value, raw: JSON.stringify(value) });
const extension = (data: Record<string, unknown>, dataschema?: unknown) =>
  incoming(cloudEvent('xj-proc', 'handoff.extended', '2026-09-25T16:00:00+08:00', data, dataschema === undefined ? {} : { dataschema }));

async function platform() {
  const store = openSqliteEventStore({ path: ':memory:' });
  const pipeline = createIngestPipeline({
    store,
    rejections: openSqliteRejectionStore({ database: store.database }),
    validator: createValidator(),
    agencies,
    copyNoticeRecipients: [],
    clock: fixedClock('2026-10-01T00:00:00Z'),
  });
  const setup = await pipeline.ingest(
    [
      incoming(cloudEvent('xj-police', 'case.registered', '2026-08-03T09:00:00+08:00', { kind: 'criminal', title: '王某盗窃案', parties: [{ name: '王某', role: 'suspect', type: 'person' }] })),
      incoming(cloudEvent('xj-police', 'handoff.requested', '2026-08-28T10:00:00+08:00', { handoffId: 'h1', to: 'xj-proc', purpose: 'prosecution_review' })),
    ],
    police,
  );
  await pipeline.ingest([incoming(cloudEvent('xj-proc', 'handoff.received', '2026-09-02T09:30:00+08:00', { handoffId: 'h1' }))], proc);
  expect(setup.map((r) => r.status)).to.deep.equal(['accepted', 'accepted']);
  return { store, pipeline };
}

describe('dataschema on ingest', () => {
  it('accepts version 1 of handoff.extended, stores it as published under its version, and folds it with its meaning (days added once)', async () => {
    const { store, pipeline } = await platform();
    const [result] = await pipeline.ingest([extension({ handoffId: 'h1', days: 15, approvedBy: '检察长' }, 'urn:liandong:handoff.extended:1')], proc);
    expect(result).to.deep.include({ status: 'accepted' });
    const stored = (await store.readStream('case-XS-1')).at(-1)!;
    expect(stored.data).to.deep.equal({ handoffId: 'h1', days: 15, approvedBy: '检察长' });
    expect(stored.metadata.dataschema).to.equal('urn:liandong:handoff.extended:1');
    expect(stored.metadata.extensions).to.equal(undefined); // dataschema is a CloudEvents attribute, not an extension
    const { state } = await loadStream(store, 'case-XS-1', 'case');
    expect((state as Extract<CaseState, { status: 'open' }>).handoffs.h1!.extensionDays).to.equal(15);
  });

  it('stores the latest version’s dataschema when none was published, so a later catalog still knows the version', async () => {
    const { store } = await platform();
    const events = await store.readStream('case-XS-1');
    expect(events.map((e) => e.metadata.dataschema)).to.deep.equal([
      'urn:liandong:case.registered:1',
      'urn:liandong:handoff.requested:1',
      'urn:liandong:handoff.received:1',
    ]);
  });

  it('refuses a dataschema of another form or another type at the envelope', async () => {
    const { store, pipeline } = await platform();
    const head = await store.headPosition();
    const data = { handoffId: 'h1', days: 15, approvedBy: '检察长' };
    const results = await pipeline.ingest(
      [extension(data, 'https://example.org/handoff.extended.json'), extension(data, 'urn:liandong:handoff.requested:1'), extension(data, 1)],
      proc,
    );
    expect(results.map((r) => (r.status === 'rejected' ? r.code : r.status))).to.deep.equal(['invalid_envelope', 'invalid_envelope', 'invalid_envelope']);
    expect(await store.headPosition()).to.equal(head);
  });

  it('answers a version the catalog does not have, and data that does not fit the version named, with invalid_data', async () => {
    const { pipeline } = await platform();
    const results = await pipeline.ingest(
      [
        extension({ handoffId: 'h1', days: 15, approvedBy: '检察长' }, 'urn:liandong:handoff.extended:3'),
        extension({ handoffId: 'h1', days: 31, approvedBy: '检察长' }, 'urn:liandong:handoff.extended:1'),
        incoming(cloudEvent('xj-proc', 'handoff.accepted', '2026-09-03T09:00:00+08:00', { handoffId: 'h1' }, { dataschema: 'urn:liandong:handoff.accepted:2' })),
      ],
      proc,
    );
    expect(results.map((r) => (r.status === 'rejected' ? r.code : r.status))).to.deep.equal(['invalid_data', 'invalid_data', 'invalid_data']);
    const [v3, days31] = results as { message: string }[];
    expect(v3!.message).to.include('没有第 3 版');
    expect(days31!.message).to.include('handoff.extended（第 1 版）');
  });

  it('takes dataschema from a Kafka binary-mode ce_dataschema header the same way', async () => {
    const { store, pipeline } = await platform();
    const event = cloudEvent('xj-proc', 'handoff.extended', '2026-09-25T16:00:00+08:00', { handoffId: 'h1', days: 10, approvedBy: '检察长' }, { dataschema: 'urn:liandong:handoff.extended:1' });
    const message = encodeBinary(event);
    expect(JSON.stringify(message.headers)).to.include('ce_dataschema');
    const decoded = decodeCloudEvent({ value: Buffer.from(message.value as string), headers: message.headers! });
    expect(decoded.mode).to.equal('binary');
    const [result] = await pipeline.ingest([decoded.incoming], proc);
    expect(result).to.deep.include({ status: 'accepted' });
    expect((await store.readStream('case-XS-1')).at(-1)!.metadata.dataschema).to.equal('urn:liandong:handoff.extended:1');
  });
});
