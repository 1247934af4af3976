import { expect } from 'chai';
import type { Agency } from '../../../domain/shared/agencies.js';
import { fixedClock } from '../../../infra/clock.js';
import { openSqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import type { EventStore } from '../../../ports/eventStore.js';
import { createIngestPipeline, type IncomingEvent, type Sender } from '../../../infra/ingest/pipeline.js';
import { createValidator } from '../../../infra/ingest/validator.js';
import { openSqliteRejectionStore } from '../../../infra/rejections/sqliteRejectionStore.js';

const agencies = new Map<string, Agency>([
  ['xj-court', { id: 'xj-court', kind: 'court', name: '新津区人民法院' }],
  ['xj-justice', { id: 'xj-justice', kind: 'justice', name: '新津区司法局' }],
  ['xj-gov', { id: 'xj-gov', kind: 'government', name: '新津区人民政府' }],
]);
const court: Sender = { agency: agencies.get('xj-court')!, principal: 'court-system', channel: 'http' };
const justice: Sender = { agency: agencies.get('xj-justice')!, principal: 'justice-system', channel: 'http' };

const ev = (source: string, id: string, type: string, subject: string, time: string, data: Record<string, unknown>): IncomingEvent => {
  const value = { specversion: '1.0', id, source, type, subject, time, data };
  return { value, raw: JSON.stringify(value) };
};
const register = (id: string, subject: string) =>
  ev('xj-court', id, 'case.registered', subject, '2024-09-10T09:00:00+08:00', { kind: 'civil_dispute', title: '买卖合同纠纷', parties: [{ name: '某公司', role: 'plaintiff', type: 'enterprise' }] });
const mediation = (id: string, subject: string, handoffId: string) =>
  ev('xj-court', id, 'handoff.requested', subject, '2024-09-10T10:00:00+08:00', { handoffId, to: 'xj-justice', purpose: 'entrusted_mediation' });

function platform(wrap: (store: EventStore) => EventStore = (s) => s) {
  const store = openSqliteEventStore({ path: ':memory:' });
  const rejections = openSqliteRejectionStore({ database: store.database });
  const pipeline = createIngestPipeline({
    store: wrap(store),
    rejections,
    validator: createValidator(),
    agencies,
    copyNoticeRecipients: ['xj-gov'],
    clock: fixedClock('2024-09-20T00:00:00Z'),
  });
  return { store, rejections, pipeline };
}

describe('ingest pipeline', () => {
  it('applies a batch in order: a later event sees the case an earlier one registered', async () => {
    const { pipeline, store } = platform();
    const results = await pipeline.ingest([register('e1', 'C-1'), mediation('e2', 'C-1', 'h1')], court);
    expect(results.map((r) => r.status)).to.deep.equal(['accepted', 'accepted']);
    expect((await store.readStream('case-C-1')).map((e) => e.type)).to.deep.equal(['case.registered', 'handoff.requested']);
  });

  it('answers a repeat inside one batch as a duplicate of the first, stored once', async () => {
    const { pipeline, store } = platform();
    const results = await pipeline.ingest([register('e1', 'C-1'), register('e1', 'C-1')], court);
    expect(results.map((r) => r.status)).to.deep.equal(['accepted', 'duplicate']);
    expect(results[1]).to.deep.include({ position: (results[0] as { position: string }).position });
    expect(await store.readStream('case-C-1')).to.have.length(1);
  });

  it('rejects a rule violation with its code, keeps it, and still stores the rest of the batch', async () => {
    const { pipeline, store, rejections } = platform();
    const results = await pipeline.ingest([mediation('e0', 'C-9', 'h1'), register('e1', 'C-1')], court);
    expect(results.map((r) => [r.status, 'code' in r ? r.code : null])).to.deep.equal([
      ['rejected', 'unknown_case'],
      ['accepted', null],
    ]);
    const kept = await rejections.list({ agencyId: 'xj-court', first: 10 });
    expect(kept.nodes.map((n) => [n.code, n.eventId, n.channel])).to.deep.equal([['unknown_case', 'e0', 'http']]);
    expect(await store.headPosition()).to.equal(1n);
  });

  it('refuses a type the sender’s kind may not publish, saying in Chinese who may not', async () => {
    const { pipeline } = platform();
    const gov: Sender = { agency: agencies.get('xj-gov')!, principal: 'gov-system', channel: 'http' };
    const [result] = await pipeline.ingest([ev('xj-gov', 'g1', 'judgment.issued', 'C-1', '2024-09-10T09:00:00+08:00', { judgmentId: 'j1', outcome: 'decided' })], gov);
    expect(result).to.deep.include({ status: 'rejected', code: 'unauthorized', message: '新津区人民政府（行政机关）无权发布 judgment.issued' });
  });

  it('lets a corrected resend with the same id through after a rejection (补正)', async () => {
    const { pipeline } = platform();
    await pipeline.ingest([register('e1', 'C-1')], court);
    const bad = ev('xj-justice', 'j1', 'handoff.received', 'C-1', '2024-09-13T09:00:00+08:00', { handoffId: 'h1' });
    expect((await pipeline.ingest([bad], justice))[0]!.status).to.equal('rejected');
    await pipeline.ingest([mediation('e2', 'C-1', 'h1')], court);
    expect((await pipeline.ingest([bad], justice))[0]!.status).to.equal('accepted');
  });

  it('decides again when another writer appends to the same case first, and applies both', async () => {
    let interfered = false;
    const { pipeline, store } = platform((inner) => ({
      ...inner,
      append: async (requests) => {
        if (!interfered && requests.some((r) => r.streamId === 'case-C-1' && r.expectedRevision === 0)) {
          interfered = true;
          // another ingest replica records a handoff on the same case between our read and our append
          await inner.append([{ streamId: 'case-C-1', expectedRevision: 0, events: [{ type: 'handoff.requested', data: { handoffId: 'other', to: 'xj-justice', purpose: 'entrusted_mediation' }, metadata: { source: 'xj-court', eventId: 'x', principal: null, channel: 'http', time: '2024-09-10T09:30:00+08:00' }, idempotencyKey: 'xj-court/x' }] }]);
        }
        return inner.append(requests);
      },
    }));
    await pipeline.ingest([register('e1', 'C-1')], court);
    const results = await pipeline.ingest([mediation('e2', 'C-1', 'h1')], court);
    expect(interfered).to.equal(true);
    expect(results[0]!.status).to.equal('accepted');
    expect((await store.readStream('case-C-1')).map((e) => (e.data as { handoffId?: string }).handoffId ?? null)).to.deep.equal([null, 'other', 'h1']);
  });

  it('decides on what another writer stored since its last batch on the case (kept states catch up)', async () => {
    const { pipeline, store } = platform();
    await pipeline.ingest([register('e1', 'C-1')], court);
    // e.g. a mutation, or another replica: the pipeline's kept state of C-1 is now one revision behind
    await store.append([{ streamId: 'case-C-1', expectedRevision: 0, events: [{ type: 'handoff.requested', data: { handoffId: 'h1', to: 'xj-justice', purpose: 'entrusted_mediation' }, metadata: { source: 'xj-court', eventId: 'x', principal: null, channel: 'http', time: '2024-09-10T09:30:00+08:00' }, idempotencyKey: 'xj-court/x' }] }]);
    const receipt = ev('xj-justice', 'j1', 'handoff.received', 'C-1', '2024-09-11T09:00:00+08:00', { handoffId: 'h1' });
    expect((await pipeline.ingest([receipt], justice))[0]!.status).to.equal('accepted');
    const again = (await pipeline.ingest([mediation('e2', 'C-1', 'h1')], court))[0]!;
    expect([again.status, 'code' in again ? again.code : null]).to.deep.equal(['rejected', 'invalid_transition']);
    expect((await store.readStream('case-C-1')).map((e) => e.type)).to.deep.equal(['case.registered', 'handoff.requested', 'handoff.received']);
  });

  it('records the copy notice of a lost administrative case in the same append as the judgment', async () => {
    const { pipeline, store } = platform();
    const registration = ev('xj-court', 'a1', 'case.registered', 'A-1', '2024-09-10T09:00:00+08:00', {
      kind: 'administrative_litigation', title: '某公司诉区政府行政处罚案', parties: [{ name: '某公司', role: 'plaintiff', type: 'private_enterprise' }], defendantAgencyId: 'xj-gov',
    });
    const judgment = ev('xj-court', 'a2', 'judgment.issued', 'A-1', '2024-09-18T09:00:00+08:00', { judgmentId: 'j1', outcome: 'agency_lost' });
    await pipeline.ingest([registration, judgment], court);
    expect((await pipeline.ingest([judgment], court))[0]!.status).to.equal('duplicate');
    const stored = await store.readStream('case-A-1');
    expect(stored.map((e) => [e.type, e.metadata.channel])).to.deep.equal([
      ['case.registered', 'http'],
      ['judgment.issued', 'http'],
      ['notice.issued', 'platform'],
    ]);
    expect(stored[2]!.data).to.deep.include({ reason: 'agency_lost', recipients: ['xj-gov'] });
  });
});


describe('ingest pipeline: batches that wait together, kept states', () => {
  /** counts the store calls the pipeline makes; `beforeAppend` runs just before each append is passed on */
  function counted(beforeAppend?: (inner: EventStore, requests: Parameters<EventStore['append']>[0]) => Promise<void>) {
    const calls = { append: 0, readStream: [] as string[] };
    const built = platform((inner) => ({
      ...inner,
      readStream: (streamId, options) => {
        calls.readStream.push(streamId);
        return inner.readStream(streamId, options);
      },
      append: async (requests) => {
        calls.append += 1;
        await beforeAppend?.(inner, requests);
        return inner.append(requests);
      },
    }));
    return { ...built, calls };
  }
  const foreignHandoff = (streamId: string, expectedRevision: number, handoffId: string, eventId: string) => ({
    streamId,
    expectedRevision,
    events: [{ type: 'handoff.requested', data: { handoffId, to: 'xj-justice', purpose: 'entrusted_mediation' }, metadata: { source: 'xj-court', eventId, principal: null, channel: 'http' as const, time: '2024-09-10T09:30:00+08:00' }, idempotencyKey: `xj-court/${eventId}` }],
  });

  it('ingests batches handed over together in one append, each caller getting its own results in order', async () => {
    const { pipeline, store, calls } = counted();
    const receipt = ev('xj-justice', 'j1', 'handoff.received', 'C-1', '2024-09-11T09:00:00+08:00', { handoffId: 'h1' });
    const [first, second, third] = await Promise.all([
      pipeline.ingest([register('e1', 'C-1'), mediation('e2', 'C-1', 'h1')], court),
      // another sender's batch, deciding on what the first batch of the group left
      pipeline.ingest([receipt], justice),
      pipeline.ingest([register('e1', 'C-1'), mediation('e9', 'C-9', 'h9')], court),
    ]);
    expect(calls.append).to.equal(1);
    expect(first!.map((r) => r.status)).to.deep.equal(['accepted', 'accepted']);
    expect(second!.map((r) => r.status)).to.deep.equal(['accepted']);
    expect(third!.map((r) => [r.status, 'code' in r ? r.code : null])).to.deep.equal([
      ['duplicate', null],
      ['rejected', 'unknown_case'],
    ]);
    expect(third![0]).to.deep.include({ position: (first![0] as { position: string }).position });
    const stored = await store.readStream('case-C-1');
    expect(stored.map((e) => [e.type, e.metadata.principal])).to.deep.equal([
      ['case.registered', 'court-system'],
      ['handoff.requested', 'court-system'],
      ['handoff.received', 'justice-system'],
    ]);
  });

  it('when a group fails, ingests its batches again one by one so only the failing one fails', async () => {
    const { pipeline, store } = counted(async (_inner, requests) => {
      if (requests.some((r) => r.streamId === 'case-BAD')) throw new Error('disk full');
    });
    const outcomes = await Promise.allSettled([
      pipeline.ingest([register('e1', 'C-1')], court),
      pipeline.ingest([register('e2', 'BAD')], court),
      pipeline.ingest([register('e3', 'C-3')], court),
    ]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).to.have.property('message', 'disk full');
    expect(await store.readStream('case-C-1')).to.have.length(1);
    expect(await store.readStream('case-C-3')).to.have.length(1);
    expect(await store.readStream('case-BAD')).to.have.length(0);
  });

  it('does not read a kept stream again while nobody else writes, and does after someone has', async () => {
    const { pipeline, store, calls } = counted();
    await pipeline.ingest([register('e1', 'C-1')], court);
    calls.readStream.length = 0;
    expect((await pipeline.ingest([mediation('e2', 'C-1', 'h1')], court))[0]!.status).to.equal('accepted');
    expect(calls.readStream).to.deep.equal([]);
    await store.append([foreignHandoff('case-C-1', 1, 'h2', 'x')]);
    const receipt = ev('xj-justice', 'j1', 'handoff.received', 'C-1', '2024-09-11T09:00:00+08:00', { handoffId: 'h2' });
    expect((await pipeline.ingest([receipt], justice))[0]!.status).to.equal('accepted');
    expect(calls.readStream).to.deep.equal(['case-C-1']);
  });

  it('stops looking at the head while every append has company (positions with gaps), and stays right', async () => {
    let heads = 0;
    let company = false;
    let n = 0;
    const { pipeline, store } = platform((inner) => ({
      ...inner,
      headPosition: () => {
        heads += 1;
        return inner.headPosition();
      },
      append: async (requests) => {
        // another replica writes before each of our appends, to the other case this pipeline keeps
        const other = requests[0]!.streamId === 'case-C-1' ? 'case-C-2' : 'case-C-1';
        if (company) await inner.append([{ ...foreignHandoff(other, 0, `x${++n}`, `x${n}`), expectedRevision: 'any' }]);
        return inner.append(requests);
      },
    }));
    await pipeline.ingest([register('e0', 'C-1'), register('e00', 'C-2')], court);
    company = true;
    for (let i = 1; i <= 10; i++) {
      // each batch decides on a case the other replica has written to since this pipeline last did
      const result = (await pipeline.ingest([mediation(`e${i}`, i % 2 === 1 ? 'C-1' : 'C-2', `h${i}`)], court))[0]!;
      expect(result.status, JSON.stringify(result)).to.equal('accepted');
    }
    // the first look and five that could not show a quiet store, then none for a while
    expect(heads).to.equal(6);
    company = false;
    expect(await store.readStream('case-C-1')).to.have.length(11);
    const receipt = ev('xj-justice', 'j1', 'handoff.received', 'C-1', '2024-09-11T09:00:00+08:00', { handoffId: 'x10' });
    expect((await pipeline.ingest([receipt], justice))[0]!.status).to.equal('accepted');
  });

  it('reads kept streams again after another writer slipped in between its look at the store and its append', async () => {
    let slipIn = false;
    const { pipeline } = counted(async (inner) => {
      if (!slipIn) return;
      slipIn = false;
      // another replica writes to C-2 (which this pipeline keeps) while it appends to C-1: no conflict for
      // this append, but the kept C-2 is now behind, and the head alone no longer shows it
      await inner.append([foreignHandoff('case-C-2', 0, 'h2', 'x')]);
    });
    await pipeline.ingest([register('e1', 'C-1'), register('e2', 'C-2')], court);
    slipIn = true;
    expect((await pipeline.ingest([mediation('e3', 'C-1', 'h1')], court))[0]!.status).to.equal('accepted');
    const receipt = ev('xj-justice', 'j1', 'handoff.received', 'C-2', '2024-09-11T09:00:00+08:00', { handoffId: 'h2' });
    expect((await pipeline.ingest([receipt], justice))[0]!.status).to.equal('accepted');
  });
});
