/**
 * `Handoff.documents` wherever a handoff is read (graphql.md): the case read model keeps only its handoffs' links
 * (projections/cases revision 4, issue 14), so a case's handoffs are the handoff board's documents of them, papers and
 * all; the board's own list and the case as it was (`asOf`, folded from the events) have them at hand. All three must
 * answer the same list.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { fixedClock } from '../../../infra/clock.js';
import type { EventMetadata } from '../../../ports/eventStore.js';
import { CASES, type CaseDoc } from '../../../projections/cases/cases.projection.js';
import { gql } from '../../e2e/harness.js';
import { startInProcessPlatform, type InProcessPlatform } from './inProcessPlatform.js';

const ORGANIZER = 'test-organizer-token';
const SHA = 'a'.repeat(64);
const PAPERS = [{ title: '起诉意见书', sha256: SHA }, { title: '扣押物品清单' }];

const metadata = (source: string, time: string): EventMetadata => ({ source, eventId: null, principal: `${source}-system`, channel: 'http', time, subject: 'XJ-D' });

describe('Handoff.documents: the same list from a case, from the board and from the case as it was', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'ld-handoff-documents-'));
  let platform: InProcessPlatform;

  before(async () => {
    platform = await startInProcessPlatform(dir, { clock: fixedClock('2024-09-10T02:00:00.000Z') });
    const { store } = platform;
    await store.append([
      {
        streamId: 'case-XJ-D',
        expectedRevision: 'no_stream',
        events: [
          {
            type: 'case.registered',
            data: { kind: 'criminal', title: '某盗窃案', parties: [{ name: '王某', role: 'suspect', type: 'person' }] },
            metadata: metadata('xj-police', '2024-09-10T09:00:00+08:00'),
          },
          {
            type: 'handoff.requested',
            data: { handoffId: 'h1', to: 'xj-proc', purpose: 'prosecution_review', documents: PAPERS, note: '犯罪嫌疑人已取保候审' },
            metadata: metadata('xj-police', '2024-09-10T09:00:00+08:00'),
          },
          { type: 'handoff.requested', data: { handoffId: 'h2', to: 'xj-proc', purpose: 'information_notice' }, metadata: metadata('xj-police', '2024-09-10T09:00:00+08:00') },
          // a later event of h1: the stored handoff is built from the one without papers
          { type: 'handoff.received', data: { handoffId: 'h1' }, metadata: metadata('xj-proc', '2024-09-10T09:30:00+08:00') },
        ],
      },
    ]);
    await platform.runner.waitFor((await store.headPosition())!, 10_000);
  });

  after(async () => {
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const data = async (query: string) => {
    const answer = (await gql(platform.base, ORGANIZER, query)).json!;
    expect(answer.errors, JSON.stringify(answer.errors)).to.equal(undefined);
    return answer.data!;
  };
  const byId = (handoffs: { id: string; documents: unknown[] }[]) => Object.fromEntries(handoffs.map((h) => [h.id, h.documents]));
  const want = { h1: [{ title: '起诉意见书', sha256: SHA }, { title: '扣押物品清单', sha256: null }], h2: [] };

  it('the case read model keeps each handoff’s link: neither the document list nor the note', async () => {
    const [doc] = await platform.services.readModels.getMany<CaseDoc>(CASES, ['XJ-D']);
    expect(Object.keys(doc!.state.handoffs)).to.deep.equal(['h1', 'h2']);
    expect(doc!.state.handoffs['h1']).to.include({ to: 'xj-proc' });
    expect(doc!.state.handoffs['h1']!.receivedAt).to.be.a('string');
    for (const handoff of Object.values(doc!.state.handoffs)) expect(handoff).to.have.all.keys('id', 'from', 'to', 'purpose', 'requestedAt', 'receivedAt');
  });

  it('a case’s handoffs list their request’s documents (from the board)', async () => {
    const d = await data(`{ case(id: "XJ-D") { handoffs { id documents { title sha256 } } } }`);
    expect(byId(d.case.handoffs)).to.deep.equal(want);
  });

  it('the board and the case as it was list the same', async () => {
    const board = await data(`{ handoffs(first: 10) { nodes { id documents { title sha256 } } } }`);
    expect(byId(board.handoffs.nodes)).to.deep.equal(want);
    const then = await data(`{ case(id: "XJ-D", asOf: "2024-09-30T00:00:00+08:00") { handoffs { id documents { title sha256 } } } }`);
    expect(byId(then.case.handoffs)).to.deep.equal(want);
  });
});
