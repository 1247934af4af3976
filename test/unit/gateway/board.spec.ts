/**
 * The handoff board's page (gateway/resolvers/handoffs.ts) against the definition of its order: every handoff
 * of the city given its text key `rank|due|requestedAt (UTC)|caseId/handoffId`, sorted as text, and paged with
 * the generic `paginate`. The resolver reads the handoffBoard projection's index instead (range reads per lane,
 * merged); for any board, any filter and any page size, walking the pages by cursor must give the same pages,
 * counts and cursors. The documents are written into a real embedded read-model store as the projection files them.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import type { GatewayContext } from '../../../gateway/context.js';
import { handoffOverdue, type HandoffView } from '../../../gateway/readSide/views.js';
import { openEmbeddedReadModelStore } from '../../../infra/readModels/embeddedReadModelStore.js';
import type { ReadModelStore } from '../../../ports/readModelStore.js';
import { handoffParties, type Handoff } from '../../../domain/catalog/index.js';
import { BOARD_INDEX, boardDocId, boardEntries, HANDOFF_BOARD, type HandoffBoardDoc } from '../../../projections/handoffBoard/handoffBoard.projection.js';
import { handoffResolvers } from '../../../gateway/resolvers/handoffs.js';
import { paginate } from '../../../gateway/resolvers/pagination.js';

const TODAY = '2024-10-10';
const AGENCIES = ['a', 'b', 'c'];
const STATUSES = ['REQUESTED', 'RECEIVED', 'ACCEPTED', 'COMPLETED', 'RETURNED', 'WITHDRAWN'];
/** an ended handoff's clock has stopped (domain/cases/deadlines.ts handoffDeadline): the board relies on it */
const ENDED_STATUS = new Set([3, 4, 5]);

interface GeneratedHandoff {
  id: string;
  from: number;
  to: number;
  status: number;
  purpose: number;
  /** minutes after a base time, in one of three time zones: equal instants written differently */
  requestedMinute: number;
  zone: number;
  /** null: no clock; otherwise a day of October 2024 (ties likely) and whether it is stopped */
  due: { day: number; stopped: boolean } | null;
}

const handoffArb: fc.Arbitrary<GeneratedHandoff> = fc.record({
  id: fc.constantFrom('h1', 'h2', 'h-3', 'h/4', 'H5'),
  from: fc.nat(2),
  to: fc.nat(2),
  status: fc.nat(STATUSES.length - 1),
  purpose: fc.nat(1),
  requestedMinute: fc.nat(1),
  zone: fc.nat(2),
  due: fc.option(fc.record({ day: fc.integer({ min: 8, max: 11 }), stopped: fc.boolean() }), { nil: null }),
});
type Board = { caseId: string; handoffs: GeneratedHandoff[] }[];
// case ids chosen so that `caseId/handoffId` as text orders differently from (caseId, handoffId) as a pair
const boardArb: fc.Arbitrary<Board> = fc.uniqueArray(fc.record({ caseId: fc.constantFrom('K1', 'K1-2', 'K1/2', 'K10', 'k1', 'C'), handoffs: fc.uniqueArray(handoffArb, { selector: (h) => h.id, maxLength: 5 }) }), {
  selector: (c) => c.caseId,
  maxLength: 6,
});

const iso = (minute: number, zone: number): string => {
  const base = Date.UTC(2024, 9, 1, 1, 0) + minute * 60_000;
  const offset = [0, 8, -5][zone]!;
  const local = new Date(base + offset * 3_600_000).toISOString().slice(0, 19);
  return offset === 0 ? `${local}Z` : `${local}${offset > 0 ? '+' : '-'}${String(Math.abs(offset)).padStart(2, '0')}:00`;
};

function docsOf(board: Board): HandoffBoardDoc[] {
  return board.flatMap(({ caseId, handoffs }) =>
    handoffs.map((h) => {
      const handoff = { id: h.id, from: AGENCIES[h.from], to: AGENCIES[h.to], status: STATUSES[h.status], purpose: ['p', 'q'][h.purpose], requestedAt: iso(h.requestedMinute, h.zone) } as unknown as Handoff;
      const stopped = h.due !== null && (h.due.stopped || ENDED_STATUS.has(h.status));
      const deadline = h.due === null ? null : { dueDate: `2024-10-${String(h.due.day).padStart(2, '0')}`, provisional: false, metAt: null, stoppedAt: stopped ? '2024-10-02T00:00:00Z' : null, basis: '' };
      return { caseId, handoff, deadline, visibleTo: handoffParties(handoff) };
    }),
  );
}

async function storeOf(docs: HandoffBoardDoc[]): Promise<ReadModelStore> {
  const store = openEmbeddedReadModelStore({ path: ':memory:' });
  await store.commit('handoffBoard', 1n, docs.map((doc) => ({ collection: HANDOFF_BOARD, id: boardDocId(doc.caseId, doc.handoff.id), doc, indexes: { [BOARD_INDEX]: boardEntries(doc) } })));
  return store;
}

function contextOf(readModels: ReadModelStore, agency: string | null = null): GatewayContext {
  return {
    principal: agency === null ? { name: 'organizer', agency: { id: 'a', kind: 'government', name: 'a' }, roles: ['organizer'] } : { name: agency, agency: { id: agency, kind: 'government', name: agency }, roles: ['viewer'] },
    today: TODAY,
    services: { readModels },
  } as unknown as GatewayContext;
}

/** the definition: the text key of every handoff, sorted as text */
const ENDED = new Set(['COMPLETED', 'RETURNED', 'WITHDRAWN']);
const textKey = (v: HandoffView): string =>
  `${handoffOverdue(v) ? 0 : ENDED.has(v.handoff.status) ? 2 : 1}|${v.deadline?.dueDate ?? '9999-99-99'}|${new Date(v.handoff.requestedAt).toISOString()}|${v.caseId}/${v.handoff.id}`;

type Filter = { status?: string; overdue?: boolean; toAgency?: string; fromAgency?: string; purpose?: string };

function expected(docs: HandoffBoardDoc[], filter: Filter, first: number, after: string | null, viewer: string | null) {
  const all = docs
    .map((d): HandoffView => ({ caseId: d.caseId, handoff: d.handoff, deadline: d.deadline, today: TODAY }))
    .filter((v) => viewer === null || v.handoff.from === viewer || v.handoff.to === viewer)
    .filter((v) => (!filter.status || v.handoff.status === filter.status) && (filter.overdue === undefined || handoffOverdue(v) === filter.overdue))
    .filter((v) => (!filter.toAgency || v.handoff.to === filter.toAgency) && (!filter.fromAgency || v.handoff.from === filter.fromAgency) && (!filter.purpose || v.handoff.purpose === filter.purpose))
    .sort((x, y) => (textKey(x) < textKey(y) ? -1 : 1));
  const page = paginate(all, textKey, first, after);
  return { totalCount: page.totalCount, ids: page.nodes.map((v) => `${v.caseId}/${v.handoff.id}`), pageInfo: page.pageInfo };
}

describe('handoff board: the page picked out equals the sorted board, paged', () => {
  it('for any board, filter and page size, page after page', async () => {
    // each filter absent half the time: `requiredKeys: []` left out all three of to, from and purpose once in 300 runs,
    // and a viewer's own board (its `t:` and `f:` scopes read side by side) needs all three out
    const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 1 });
    const filterArb: fc.Arbitrary<Filter> = fc.record({
      status: maybe(fc.constantFrom(...STATUSES)),
      overdue: maybe(fc.boolean()),
      toAgency: maybe(fc.constantFrom(...AGENCIES)),
      fromAgency: maybe(fc.constantFrom(...AGENCIES)),
      purpose: maybe(fc.constantFrom('p', 'q')),
    });
    const viewerArb = fc.option(fc.constantFrom(...AGENCIES), { nil: null });
    await fc.assert(
      fc.asyncProperty(boardArb, filterArb, fc.integer({ min: 0, max: 4 }), viewerArb, async (board, filter, first, viewer) => {
        const docs = docsOf(board);
        const store = await storeOf(docs);
        const ctx = contextOf(store, viewer);
        let after: string | null = null;
        for (let pages = 0; pages < 40; pages++) {
          const got = (await handoffResolvers.Query.handoffs(undefined, { ...filter, first, after }, ctx)) as {
            totalCount: number;
            nodes: HandoffView[];
            pageInfo: { endCursor: string | null; hasNextPage: boolean };
          };
          const want = expected(docs, filter, first, after, viewer);
          expect({ totalCount: got.totalCount, ids: got.nodes.map((v) => `${v.caseId}/${v.handoff.id}`), pageInfo: got.pageInfo }).to.deep.equal(want);
          if (!got.pageInfo.hasNextPage || first === 0) break;
          after = got.pageInfo.endCursor;
        }
        await store.close();
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a cursor that is not one of its own', async () => {
    const ctx = contextOf(await storeOf([]));
    const bogus = Buffer.from('c:not a board key', 'utf8').toString('base64url');
    const error = await handoffResolvers.Query.handoffs(undefined, { after: bogus }, ctx).then(
      () => null,
      (e: Error & { extensions?: { code?: string } }) => e,
    );
    expect(error?.extensions?.code).to.equal('BAD_USER_INPUT');
  });
});
