/**
 * The RejectionStore contract, run by every adapter:
 *
 *   rejectionStoreContract('sqlite', async () => ({ store, reopen: async () => openAgain(), cleanup }));
 *
 * `reopen` opens a new store on the same backing storage after `store` was closed, to show that what
 * record() acknowledged was kept. The factory must return an empty store (counts are compared exactly).
 */
import { expect } from 'chai';
import { InvalidCursorError, type NewRejection, type RejectionRecord, type RejectionStore } from '../../ports/rejectionStore.js';
import { chainTamperTests, type RowShape, type SqlTamper } from './chainTamper.js';

export interface RejectionStoreFixture {
  /** an empty store; cleanup() closes it */
  store: RejectionStore;
  /** a fresh store on the same storage; the test closes `store` first and closes this one itself */
  reopen(): Promise<RejectionStore>;
  cleanup(): Promise<void>;
  /** plain SQL on the store's table, as a DBA or an intruder with the file could */
  tamper: SqlTamper;
}

/** a whole rejections row in SQL, per dialect (PostgreSQL keeps the sender's values in one json column) */
export const rejectionRow = (dialect: SqlTamper['dialect']): RowShape =>
  dialect === 'sqlite'
    ? {
        columns: '(id, agency_id, source, channel, received_at, code, message, event_id, event_type, raw)',
        values: (id) => `(${id}, 'ly-court', 'ly-court', 'http', '2000-01-01T00:00:00.000Z', 'invalid_data', 'forged', NULL, NULL, '{}')`,
        change: "message = 'forged'",
      }
    : {
        columns: '(id, agency_id, channel, code, received_at, detail)',
        values: (id) => `(${id}, 'ly-court', 'http', 'invalid_data', '2000-01-01T00:00:00.000Z', '{"source":null,"message":"forged","eventId":null,"eventType":null,"raw":"{}"}')`,
        change: "code = 'forged'",
      };

export type RejectionStoreFactory = () => Promise<RejectionStoreFixture>;

const rejection = (overrides: Partial<NewRejection> = {}): NewRejection => ({
  agencyId: 'ly-court',
  source: 'ly-court',
  channel: 'http',
  receivedAt: '2024-05-06T01:30:00.000Z',
  code: 'invalid_data',
  message: 'data.parties must have at least 1 item',
  eventId: 'evt-1',
  eventType: 'case.registered',
  raw: '{"specversion":"1.0","id":"evt-1"}',
  ...overrides,
});

const withoutId = ({ id: _id, ...rest }: RejectionRecord): NewRejection => rest;

export function rejectionStoreContract(name: string, factory: RejectionStoreFactory): void {
  describe(`RejectionStore contract: ${name}`, () => {
    let fixture: RejectionStoreFixture;
    let store: RejectionStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    it('records every field, including unreadable input and Chinese text, and assigns increasing ids', async () => {
      const input = [
        rejection({ raw: '{"data":{"title":"某某公司诉市场监督管理局"}}', message: '案件不存在', code: 'unknown_case' }),
        rejection({ agencyId: null, source: null, eventId: null, eventType: null, channel: 'kafka', raw: '{not json', code: 'invalid_envelope' }),
        rejection({ channel: 'graphql' }),
      ];
      const recorded = await store.record(input);
      expect(recorded.map(withoutId)).to.deep.equal(input);
      const later = await store.record([rejection()]);
      const ids = [...recorded, ...later].map((record) => record.id);
      expect(new Set(ids).size).to.equal(4);

      const { nodes } = await store.list({ first: 10 });
      expect(nodes).to.deep.equal([...recorded, ...later]);
      expect(nodes.map((node) => node.id)).to.deep.equal(ids);
    });

    it('returns [] for an empty batch and lists an empty store', async () => {
      expect(await store.record([])).to.deep.equal([]);
      expect(await store.list({ first: 10 })).to.deep.equal({ totalCount: 0, nodes: [], endCursor: null, hasNextPage: false });
    });

    it('pages oldest first with opaque cursors, without gaps or repeats', async () => {
      const recorded = await store.record(Array.from({ length: 7 }, (_, index) => rejection({ eventId: `evt-${index}` })));
      const seen: RejectionRecord[] = [];
      let after: string | undefined;
      for (let pageNumber = 0; ; pageNumber++) {
        const page = await store.list({ first: 3, ...(after === undefined ? {} : { after }) });
        expect(page.totalCount).to.equal(7);
        seen.push(...page.nodes);
        expect(page.endCursor).to.be.a('string');
        expect(page.endCursor).to.not.equal(page.nodes.at(-1)!.id);
        if (!page.hasNextPage) {
          expect(pageNumber).to.equal(2);
          break;
        }
        after = page.endCursor!;
      }
      expect(seen).to.deep.equal(recorded);

      const past = await store.list({ first: 3, after: (await store.list({ first: 7 })).endCursor! });
      expect(past).to.deep.include({ nodes: [], endCursor: null, hasNextPage: false, totalCount: 7 });
    });

    it('says whether another page follows exactly at the boundary', async () => {
      await store.record([rejection(), rejection()]);
      expect((await store.list({ first: 2 })).hasNextPage).to.equal(false);
      expect((await store.list({ first: 1 })).hasNextPage).to.equal(true);
      const none = await store.list({ first: 0 });
      expect(none).to.deep.include({ nodes: [], totalCount: 2 });
    });

    it('filters by the agency the rejection was filed under', async () => {
      await store.record([
        rejection({ agencyId: 'ly-court', eventId: 'c1' }),
        rejection({ agencyId: 'ly-police', source: 'ly-police', eventId: 'p1' }),
        rejection({ agencyId: null, eventId: 'anonymous' }),
        rejection({ agencyId: 'ly-court', eventId: 'c2' }),
        rejection({ agencyId: 'ly-police', source: 'ly-court', eventId: 'p2' }),
      ]);
      const court = await store.list({ agencyId: 'ly-court', first: 1 });
      expect(court.totalCount).to.equal(2);
      expect(court.nodes.map((node) => node.eventId)).to.deep.equal(['c1']);
      const rest = await store.list({ agencyId: 'ly-court', first: 5, after: court.endCursor! });
      expect(rest.nodes.map((node) => node.eventId)).to.deep.equal(['c2']);
      expect(rest.hasNextPage).to.equal(false);
      // filed under the sender's agency, whatever the envelope claimed as source
      expect((await store.list({ agencyId: 'ly-police', first: 5 })).nodes.map((node) => node.eventId)).to.deep.equal(['p1', 'p2']);
      expect((await store.list({ agencyId: 'ly-gov', first: 5 })).totalCount).to.equal(0);
      expect((await store.list({ first: 5 })).totalCount).to.equal(5);
    });

    it('refuses a cursor it did not hand out', async () => {
      await store.record([rejection()]);
      for (const cursor of ['nonsense', '', '1', 'cmVqZWN0aW9uOi0x']) {
        let failure: unknown;
        await store.list({ first: 1, after: cursor }).catch((error: unknown) => (failure = error));
        expect(failure, JSON.stringify(cursor)).to.be.instanceOf(InvalidCursorError);
      }
    });

    it('keeps what it acknowledged across close and reopen, and keeps ids increasing', async () => {
      const before = await store.record([rejection({ raw: '重新发送' }), rejection()]);
      await store.close();
      const reopened = await fixture.reopen();
      try {
        expect((await reopened.list({ first: 10 })).nodes).to.deep.equal(before);
        const [after] = await reopened.record([rejection()]);
        expect((await reopened.list({ first: 10 })).nodes.map((node) => node.id)).to.deep.equal([...before.map((node) => node.id), after!.id]);
      } finally {
        await reopened.close();
      }
    });

    describe('append-only at the database, hash-chained', () => {
      chainTamperTests(() => ({
        tamper: fixture.tamper,
        log: store,
        row: rejectionRow(fixture.tamper.dialect),
        write: async (n) => {
          // in two batches: ids and the chain continue across record() calls
          const first = Math.ceil(n / 2);
          await store.record(Array.from({ length: first }, (_, index) => rejection({ eventId: `evt-${index}` })));
          if (n > first) await store.record(Array.from({ length: n - first }, (_, index) => rejection({ eventId: `evt-${first + index}`, raw: '重新发送 \u0000' })));
        },
      }));
    });
  });
}
