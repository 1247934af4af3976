/**
 * events.md §5 `parked`: an event that refers to a fact another agency has not published yet is held, applied in
 * its publisher's order as soon as the fact is stored, and rejected with its original code when the window passes.
 * Given events published out of order, then what is stored, held and kept.
 */
import { expect } from 'chai';
import type { Agency } from '../../../domain/shared/agencies.js';
import { fixedClock } from '../../../infra/clock.js';
import { openSqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { createIngestPipeline, type IncomingEvent, type IngestResult, type Sender } from '../../../infra/ingest/pipeline.js';
import { createValidator } from '../../../infra/ingest/validator.js';
import { openSqliteRejectionStore } from '../../../infra/rejections/sqliteRejectionStore.js';
import { openSqliteParkingLot } from '../../../infra/parking/sqliteParkingLot.js';
import type { ParkedEvent } from '../../../ports/parkingLot.js';
import type { EventStore } from '../../../ports/eventStore.js';

const agencies = new Map<string, Agency>([
  ['xj-court', { id: 'xj-court', kind: 'court', name: '新津区人民法院' }],
  ['xj-justice', { id: 'xj-justice', kind: 'justice', name: '新津区司法局' }],
  ['xj-gov', { id: 'xj-gov', kind: 'government', name: '新津区人民政府' }],
]);
const court: Sender = { agency: agencies.get('xj-court')!, principal: 'court-system', channel: 'http' };
const justice: Sender = { agency: agencies.get('xj-justice')!, principal: 'justice-system', channel: 'kafka' };
const WINDOW_MS = 10 * 60_000;

const ev = (source: string, id: string, type: string, subject: string, time: string, data: Record<string, unknown>): IncomingEvent => {
  const value = { specversion: '1.0', id, source, type, subject, time, data };
  return { value, raw: JSON.stringify(value) };
};
const register = (id: string, subject: string) =>
  ev('xj-court', id, 'case.registered', subject, '2024-09-10T09:00:00+08:00', { kind: 'civil_dispute', title: '买卖合同纠纷', parties: [{ name: '某公司', role: 'plaintiff', type: 'enterprise' }] });
const mediation = (id: string, subject: string, handoffId: string) =>
  ev('xj-court', id, 'handoff.requested', subject, '2024-09-10T10:00:00+08:00', { handoffId, to: 'xj-justice', purpose: 'entrusted_mediation' });
const receipt = (id: string, subject: string, handoffId: string) => ev('xj-justice', id, 'handoff.received', subject, '2024-09-11T09:00:00+08:00', { handoffId });
const acceptance = (id: string, subject: string, handoffId: string) => ev('xj-justice', id, 'handoff.accepted', subject, '2024-09-11T10:00:00+08:00', { handoffId });

function platform(options: { store?: ReturnType<typeof openSqliteEventStore>; windowMs?: number } = {}) {
  const store = options.store ?? openSqliteEventStore({ path: ':memory:' });
  const rejections = openSqliteRejectionStore({ database: store.database });
  const lot = openSqliteParkingLot({ database: store.database });
  const clock = fixedClock('2024-09-20T00:00:00Z');
  const reported: { event: ParkedEvent; result: IngestResult }[] = [];
  const pipeline = createIngestPipeline({
    store,
    rejections,
    validator: createValidator(),
    agencies,
    copyNoticeRecipients: ['xj-gov'],
    clock,
    parking: { lot, windowMs: options.windowMs ?? WINDOW_MS },
    onParkedOutcome: async (outcomes) => void reported.push(...outcomes),
  });
  return { store, rejections, lot, clock, pipeline, reported };
}

const typesOf = async (store: EventStore, stream: string) => (await store.readStream(stream)).map((e) => `${e.type}:${e.metadata.eventId ?? ''}`);

/** the attendant's tick runs every second: poll (bounded) until the lot is empty */
async function lotEmptied(lot: { stats(): Promise<{ count: number }> }, withinMs = 4000): Promise<void> {
  const until = Date.now() + withinMs;
  while ((await lot.stats()).count > 0) {
    if (Date.now() > until) throw new Error(`lot still holds ${(await lot.stats()).count} after ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('parking (events.md §5)', () => {
  const started: { pipeline: { stop(): Promise<void> } }[] = [];
  const make = (options?: Parameters<typeof platform>[0]) => {
    const p = platform(options);
    started.push(p);
    return p;
  };
  afterEach(async () => {
    for (const p of started.splice(0)) await p.pipeline.stop();
  });

  it('holds a receipt that overtook the handoff, then stores it right after the handoff, in order', async () => {
    const { pipeline, store, lot, rejections } = make();
    await pipeline.ingest([register('c1', 'C-1')], court);
    const [held] = await pipeline.ingest([receipt('j1', 'C-1', 'h1')], justice);
    expect(held).to.deep.include({ id: 'j1', status: 'parked', code: 'invalid_transition', parkedUntil: '2024-09-20T00:10:00.000Z' });
    expect((held as { message: string }).message).to.contain('没有编号为「h1」的移送');
    expect(await typesOf(store, 'case-C-1')).to.deep.equal(['case.registered:c1']);

    const [requested] = await pipeline.ingest([mediation('c2', 'C-1', 'h1')], court);
    expect(requested!.status).to.equal('accepted');
    await pipeline.parkingSettled();
    expect(await typesOf(store, 'case-C-1')).to.deep.equal(['case.registered:c1', 'handoff.requested:c2', 'handoff.received:j1']);
    expect((await lot.stats()).count).to.equal(0);
    expect((await rejections.list({ first: 10 })).totalCount).to.equal(0);
  });

  it('holds events for a case not registered yet (unknown_case) and applies them in the publisher’s order', async () => {
    const { pipeline, store, lot } = make();
    const results = await pipeline.ingest([receipt('j1', 'C-2', 'h1'), acceptance('j2', 'C-2', 'h1')], justice);
    // the second waits behind the first: it is the same publisher's and the same case's
    expect(results.map((r) => [r.status, 'code' in r ? r.code : null])).to.deep.equal([
      ['parked', 'unknown_case'],
      ['parked', 'invalid_transition'],
    ]);
    expect((results[1] as { message: string }).message).to.contain('「j1」仍在暂存');
    await pipeline.ingest([register('c1', 'C-2'), mediation('c2', 'C-2', 'h1')], court);
    await pipeline.parkingSettled();
    expect(await typesOf(store, 'case-C-2')).to.deep.equal(['case.registered:c1', 'handoff.requested:c2', 'handoff.received:j1', 'handoff.accepted:j2']);
    expect((await lot.stats()).count).to.equal(0);
  });

  it('keeps a publisher’s later event of the same case behind its parked one, even one that could be stored now', async () => {
    const { pipeline, store } = make();
    await pipeline.ingest([register('c1', 'C-3'), mediation('c2', 'C-3', 'h2')], court);
    const results = await pipeline.ingest([receipt('j1', 'C-3', 'h1')], justice);
    expect(results[0]!.status).to.equal('parked');
    // h2 exists, but j1 (h1) was published first: j2 waits its turn
    const [later] = await pipeline.ingest([receipt('j2', 'C-3', 'h2')], justice);
    expect(later!.status).to.equal('parked');
    // another publisher's event of the same case is not held up
    const [other] = await pipeline.ingest([ev('xj-court', 'c3', 'hearing.scheduled', 'C-3', '2024-09-12T09:00:00+08:00', { hearingId: 'hr1', at: '2024-10-08T09:30:00+08:00' })], court);
    expect(other, JSON.stringify(other)).to.deep.include({ status: 'accepted' });
    await pipeline.ingest([mediation('c4', 'C-3', 'h1')], court);
    await pipeline.parkingSettled();
    expect((await typesOf(store, 'case-C-3')).slice(-3)).to.deep.equal(['handoff.requested:c4', 'handoff.received:j1', 'handoff.received:j2']);
  });

  it('answers a resend of a parked event as parked, with its first window, held once', async () => {
    const { pipeline, lot, clock } = make();
    const [first] = await pipeline.ingest([receipt('j1', 'C-4', 'h1')], justice);
    clock.advance(60_000);
    const [again] = await pipeline.ingest([receipt('j1', 'C-4', 'h1')], justice);
    expect(again).to.deep.include({ status: 'parked', parkedUntil: (first as { parkedUntil: string }).parkedUntil });
    expect((await lot.stats()).count).to.equal(1);
  });

  it('rejects with the original code when the window passes, keeps the rejection and reports it', async () => {
    const { pipeline, store, lot, rejections, clock, reported } = make({ windowMs: 6_000 });
    const [held] = await pipeline.ingest([receipt('j1', 'C-5', 'h1')], justice);
    expect(held).to.deep.include({ status: 'parked', code: 'unknown_case', parkedUntil: '2024-09-20T00:00:06.000Z' });
    clock.advance(6_000);
    await lotEmptied(lot);
    const kept = await rejections.list({ agencyId: 'xj-justice', first: 10 });
    expect(kept.nodes.map((r) => [r.code, r.eventId, r.channel])).to.deep.equal([['unknown_case', 'j1', 'kafka']]);
    expect(kept.nodes[0]!.message).to.contain('已暂存至 2024-09-20T00:00:06.000Z');
    expect(JSON.parse(kept.nodes[0]!.raw)).to.deep.include({ id: 'j1', type: 'handoff.received' });
    expect(reported.map((o) => [o.event.eventId, o.result.status])).to.deep.equal([['j1', 'rejected']]);
    expect(await store.headPosition()).to.equal(null);
  });

  it('never parks what the envelope or the schema refuses', async () => {
    const { pipeline, lot } = make();
    const results = await pipeline.ingest([ev('xj-justice', 'j1', 'handoff.received', 'C-6', '2024-09-11T09:00:00+08:00', { handoffId: 42 }), { value: { id: 'x' }, raw: '{"id":"x"}' }], justice);
    expect(results.map((r) => [r.status, 'code' in r ? r.code : null])).to.deep.equal([
      ['rejected', 'invalid_data'],
      ['rejected', 'invalid_envelope'],
    ]);
    expect((await lot.stats()).count).to.equal(0);
  });

  it('a parked event outlives its process: the next one applies it once the fact is stored', async () => {
    const store = openSqliteEventStore({ path: ':memory:' });
    const first = make({ store });
    await first.pipeline.ingest([receipt('j1', 'C-7', 'h1')], justice);
    await first.pipeline.stop();
    // another writer stores the sender's facts while no pipeline runs
    const second = make({ store });
    await second.pipeline.ingest([register('c1', 'C-7'), mediation('c2', 'C-7', 'h1')], court);
    await second.pipeline.parkingSettled();
    expect(await typesOf(store, 'case-C-7')).to.deep.equal(['case.registered:c1', 'handoff.requested:c2', 'handoff.received:j1']);
  });

  it('without a parking lot, such an event is rejected at once (the code it would end with)', async () => {
    const store = openSqliteEventStore({ path: ':memory:' });
    const pipeline = createIngestPipeline({ store, rejections: openSqliteRejectionStore({ database: store.database }), validator: createValidator(), agencies, copyNoticeRecipients: [], clock: fixedClock('2024-09-20T00:00:00Z') });
    const [result] = await pipeline.ingest([receipt('j1', 'C-8', 'h1')], justice);
    expect(result).to.deep.include({ status: 'rejected', code: 'unknown_case' });
  });
});
