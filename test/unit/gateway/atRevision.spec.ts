import { currentShape } from '../../../ports/currentShape.js';
/**
 * `case(id, atRevision)` (graphql.md revision 2): the case after its events 0..atRevision, for auditors.
 *
 * The events of one append share their recordedAt, so `case(id, asOf)` cannot show the state between them; the
 * console's audit slider steps through a stream event by event and needs exactly that (the flaky console e2e
 * "the case shows as it was after its first event", issue 13). Here a batch of two events is appended at one
 * instant and a third a day later, through the platform wired as the embedded composition root wires it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { caseDeadlines, foldCase, handoffDeadline, handoffsOf, linkedCase } from '../../../domain/catalog/index.js';
import { DEFAULT_DEADLINE_POLICY } from '../../../domain/deadlines/index.js';
import { createCaseHistory, type CaseThen } from '../../../gateway/readSide/caseHistory.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import { fixedClock } from '../../../infra/clock.js';
import type { EventMetadata } from '../../../ports/eventStore.js';
import type { SqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { gql } from '../../e2e/harness.js';
import { startInProcessPlatform, type InProcessPlatform } from './inProcessPlatform.js';

const AUDITOR = 'test-auditor-token';
const ORGANIZER = 'test-organizer-token';
const COURT = 'test-court-token'; // publisher + viewer of the court the case belongs to

const BATCH = '2024-09-10T01:00:00.000Z'; // case.registered and handoff.requested, one append
const LATER = '2024-09-11T01:00:00.000Z'; // handoff.received

const metadata = (source: string, time: string): EventMetadata => ({ source, eventId: null, principal: `${source}-system`, channel: 'http', time, subject: 'XJ-9' });

describe('case(id, atRevision): the case after its events 0..atRevision (auditors)', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'ld-at-revision-'));
  const clock = fixedClock(BATCH);
  let platform: InProcessPlatform;
  let store: SqliteEventStore;
  let base: string;

  before(async () => {
    platform = await startInProcessPlatform(dir, { clock });
    ({ store, base } = platform);
    await store.append([
      {
        streamId: 'case-XJ-9',
        expectedRevision: 'no_stream',
        events: [
          {
            type: 'case.registered',
            data: { kind: 'civil_dispute', title: '买卖合同纠纷', parties: [{ name: '某商贸有限公司', role: 'plaintiff', type: 'private_enterprise' }] },
            metadata: metadata('xj-court', '2024-09-10T09:00:00+08:00'),
          },
          { type: 'handoff.requested', data: { handoffId: 'h1', to: 'xj-justice', purpose: 'entrusted_mediation' }, metadata: metadata('xj-court', '2024-09-10T09:00:00+08:00') },
        ],
      },
    ]);
    clock.set(LATER);
    await store.append([{ streamId: 'case-XJ-9', expectedRevision: 1, events: [{ type: 'handoff.received', data: { handoffId: 'h1' }, metadata: metadata('xj-justice', '2024-09-11T09:00:00+08:00') }] }]);
    // the case now (no atRevision, no asOf) is read from the read models: appended here, not through ingest, so nothing
    // else waits for the projections to apply it
    await platform.runner.waitFor((await store.headPosition())!, 10_000);
    clock.set('2024-10-20T02:00:00.000Z');
  });

  after(async () => {
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const ask = async (token: string, query: string, variables: Record<string, unknown> = {}) => (await gql(base, token, query, variables)).json!;
  const data = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const answer = await ask(token, query, variables);
    expect(answer.errors, JSON.stringify(answer.errors)).to.equal(undefined);
    return answer.data!;
  };
  const CASE_FIELDS = 'id status handoffs { id status } timeline { type recordedAt }';
  const atRevision = (revision: number) => data(AUDITOR, `query($r: Int) { case(id: "XJ-9", atRevision: $r) { ${CASE_FIELDS} } }`, { r: revision }).then((d) => d.case);

  it('the two events of one batch share their recordedAt (the premise)', async () => {
    const stored = await store.readStream('case-XJ-9');
    expect(stored.map((e) => [e.revision, e.recordedAt])).to.deep.equal([
      [0, BATCH],
      [1, BATCH],
      [2, LATER],
    ]);
  });

  it('tells apart two events recorded at the same instant, which asOf cannot', async () => {
    const first = await atRevision(0);
    const second = await atRevision(1);
    expect(first).to.deep.equal({ id: 'XJ-9', status: 'OPEN', handoffs: [], timeline: [{ type: 'case.registered', recordedAt: BATCH }] });
    expect(second.handoffs).to.deep.equal([{ id: 'h1', status: 'REQUESTED' }]);
    expect(second.timeline.map((e: { type: string }) => e.type)).to.deep.equal(['case.registered', 'handoff.requested']);
    expect(first).to.not.deep.equal(second);

    // asOf at the batch's recordedAt knows both events: the state after revision 0 is not reachable by time
    const asOf = (await data(AUDITOR, `query($t: DateTime) { case(id: "XJ-9", asOf: $t) { ${CASE_FIELDS} } }`, { t: BATCH })).case;
    expect(asOf).to.deep.equal(second);
    const justBefore = (await data(AUDITOR, `query($t: DateTime) { case(id: "XJ-9", asOf: $t) { id } }`, { t: '2024-09-10T00:59:59.999Z' })).case;
    expect(justBefore).to.equal(null);
  });

  it('at the last revision is the case now, timeline and all', async () => {
    const last = await atRevision(2);
    expect(last.handoffs).to.deep.equal([{ id: 'h1', status: 'RECEIVED' }]);
    expect(last.timeline.map((e: { recordedAt: string }) => e.recordedAt)).to.deep.equal([BATCH, BATCH, LATER]);
    const now = (await data(AUDITOR, `{ case(id: "XJ-9") { ${CASE_FIELDS} } }`)).case;
    expect(last).to.deep.equal(now);
  });

  it('is null for a revision the stream does not have (yet) and for an unknown case', async () => {
    expect(await atRevision(3)).to.equal(null);
    expect(await atRevision(2_000_000_000)).to.equal(null);
    expect((await data(AUDITOR, '{ case(id: "nobody", atRevision: 0) { id } }')).case).to.equal(null);
  });

  it('answers a revision appended after it was asked for', async () => {
    const query = '{ case(id: "XJ-9", atRevision: 3) { handoffs { status } } }';
    expect((await data(AUDITOR, query)).case).to.equal(null);
    clock.set('2024-10-21T02:00:00.000Z');
    await store.append([{ streamId: 'case-XJ-9', expectedRevision: 2, events: [{ type: 'handoff.completed', data: { handoffId: 'h1', outcome: 'mediated' }, metadata: metadata('xj-justice', '2024-10-21T10:00:00+08:00') }] }]);
    expect((await data(AUDITOR, query)).case).to.deep.equal({ handoffs: [{ status: 'COMPLETED' }] });
  });

  it('refuses a negative revision, and asOf together with atRevision (BAD_USER_INPUT)', async () => {
    for (const r of [-1, -2_000_000_000]) {
      const answer = await ask(AUDITOR, 'query($r: Int) { case(id: "XJ-9", atRevision: $r) { id } }', { r });
      expect(answer.errors?.[0]?.extensions?.code, String(r)).to.equal('BAD_USER_INPUT');
      expect(answer.data?.case ?? null).to.equal(null);
    }
    const both = await ask(AUDITOR, '{ case(id: "XJ-9", asOf: "2024-09-10T01:00:00Z", atRevision: 0) { id } }');
    expect(both.errors?.[0]?.extensions?.code).to.equal('BAD_USER_INPUT');
  });

  it('is for auditors only: organizers (who may use asOf) and viewers get FORBIDDEN', async () => {
    for (const token of [ORGANIZER, COURT]) {
      const answer = await ask(token, 'query($r: Int) { case(id: "XJ-9", atRevision: $r) { id timeline { type } } }', { r: 0 });
      expect(answer.errors?.[0]?.extensions?.code, token).to.equal('FORBIDDEN');
      expect(answer.data?.case ?? null, token).to.equal(null);
    }
    // an explicit null is no atRevision at all: the case now, as the caller may see it
    expect((await data(COURT, 'query($r: Int) { case(id: "XJ-9", atRevision: $r) { id } }', { r: null })).case).to.deep.equal({ id: 'XJ-9' });
    expect((await data(ORGANIZER, `{ case(id: "XJ-9", asOf: "${BATCH}") { id } }`)).case).to.deep.equal({ id: 'XJ-9' });
  });

  it('from snapshots answers what folding the first atRevision + 1 events answers, in any order', async () => {
    const deadlines = { calendar: chineseDaysCalendar(), policy: DEFAULT_DEADLINE_POLICY };
    const stored = await store.readStream('case-XJ-9');
    const reference = (revision: number): CaseThen | null => {
      // as every read path reads them: in their current shape (stored without dataschema, i.e. under revision 1)
      const state = foldCase('XJ-9', stored.slice(0, revision + 1).map(currentShape).map((e) => ({ type: e.type, data: e.data, time: e.metadata.time, source: e.metadata.source })));
      if (state.status === 'none') return null;
      return {
        doc: { state: linkedCase(state), deadlines: caseDeadlines(state, deadlines) },
        handoffs: handoffsOf(state).map((handoff) => ({ handoff, deadline: handoffDeadline(handoff, deadlines) })),
      };
    };
    const history = createCaseHistory({ events: store, deadlines, maxSnapshotsPerStream: 2, checkpointEvery: 1 });
    const order = [3, 0, 2, 1, 1, 3, 0, 2];
    for (const revision of order) expect(await history.caseAtRevision('XJ-9', revision), `revision ${revision}`).to.deep.equal(reference(revision));
    // asOf and atRevision share the snapshots and still agree where time can tell the events apart
    expect(await history.caseAt('XJ-9', Date.parse(LATER))).to.deep.equal(reference(2));
    expect(await history.caseAtRevision('XJ-9', 4)).to.equal(null);
    let refused: unknown;
    await history.caseAtRevision('XJ-9', -1).catch((error: unknown) => (refused = error));
    expect(refused).to.be.instanceOf(RangeError);
  });
});
