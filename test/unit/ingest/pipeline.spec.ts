import { expect } from 'chai';
import type { Agency } from '../../../domain/shared/agencies.js';
import { fixedClock } from '../../../infra/clock.js';
import { openSqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import type { EventStore } from '../../../infra/eventStore/eventStore.js';
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
