/**
 * The ReadModelStore contract: every adapter (embedded SQLite, Redis) runs this suite from a short spec:
 *
 *   readModelStoreContract('embedded', async () => {
 *     const path = tempFile();
 *     let store = open(path);
 *     return {
 *       get store() { return store; },
 *       reopen: async () => (await store.close(), (store = open(path))),
 *       cleanup: async () => (await store.close(), remove(path)),
 *     };
 *   });
 *
 * The suite never assumes the store is empty: every test uses collections and projections with fresh
 * random names, so a server-backed adapter may share one database between tests.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { groupBounds, groupOf, type IndexEntry, type RangePage, type RangeQuery, type ReadModelStore } from '../../ports/readModelStore.js';

export interface ReadModelStoreFixture {
  /** a ready store */
  store: ReadModelStore;
  /**
   * Closes `store` and opens a new one over the same storage, as a restart would. The suite uses the
   * returned store from then on; cleanup() must close whichever store is open.
   */
  reopen?(): Promise<ReadModelStore>;
  /** closes the open store and releases the backing storage */
  cleanup(): Promise<void>;
}

export type ReadModelStoreFactory = () => Promise<ReadModelStoreFixture>;

const unique = (label: string): string => `${label}-${randomUUID()}`;

interface HandoffDoc {
  handoffId: string;
  toAgency: string;
  status: string;
  note?: string;
}

const handoff = (handoffId: string, toAgency: string, status = 'REQUESTED'): HandoffDoc => ({ handoffId, toAgency, status });

export function readModelStoreContract(name: string, factory: ReadModelStoreFactory): void {
  describe(`ReadModelStore contract: ${name}`, function () {
    let fixture: ReadModelStoreFixture;
    let store: ReadModelStore;
    let handoffs: string;
    let cases: string;
    let projection: string;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
      handoffs = unique('handoffs');
      cases = unique('cases');
      projection = unique('handoffs-projection');
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    describe('documents', () => {
      it('returns null for a document that was never written', async () => {
        expect(await store.get(handoffs, 'h-1')).to.equal(null);
      });

      it('returns a committed document', async () => {
        await store.commit(projection, 1n, [{ collection: handoffs, id: 'h-1', doc: handoff('h-1', 'ly-justice') }]);
        expect(await store.get<HandoffDoc>(handoffs, 'h-1')).to.deep.equal(handoff('h-1', 'ly-justice'));
      });

      it('getMany answers in the order asked, with null where a document is missing', async () => {
        await store.commit(projection, 1n, [
          { collection: handoffs, id: 'h-1', doc: handoff('h-1', 'a') },
          { collection: handoffs, id: 'h-3', doc: handoff('h-3', 'c') },
        ]);
        const docs = await store.getMany<HandoffDoc>(handoffs, ['h-3', 'h-2', 'h-1', 'h-3']);
        expect(docs.map((doc) => doc?.handoffId ?? null)).to.deep.equal(['h-3', null, 'h-1', 'h-3']);
        expect(await store.getMany(handoffs, [])).to.deep.equal([]);
        expect(await store.getMany(unique('empty'), ['x', 'y'])).to.deep.equal([null, null]);
      });

      it('replaces a document on a later commit and deletes it when written as null', async () => {
        await store.commit(projection, 1n, [{ collection: handoffs, id: 'h-1', doc: handoff('h-1', 'a') }]);
        await store.commit(projection, 2n, [{ collection: handoffs, id: 'h-1', doc: handoff('h-1', 'a', 'RECEIVED') }]);
        expect(await store.get<HandoffDoc>(handoffs, 'h-1')).to.deep.equal(handoff('h-1', 'a', 'RECEIVED'));
        await store.commit(projection, 3n, [{ collection: handoffs, id: 'h-1', doc: null }]);
        expect(await store.get(handoffs, 'h-1')).to.equal(null);
        expect(await store.listIds(handoffs)).to.deep.equal([]);
      });

      it('applies writes of one commit in order: the last write of a document wins', async () => {
        await store.commit(projection, 1n, [
          { collection: handoffs, id: 'h-1', doc: handoff('h-1', 'a') },
          { collection: handoffs, id: 'h-1', doc: null },
          { collection: handoffs, id: 'h-2', doc: handoff('h-2', 'a') },
          { collection: handoffs, id: 'h-2', doc: handoff('h-2', 'b') },
        ]);
        expect(await store.get(handoffs, 'h-1')).to.equal(null);
        expect(await store.get<HandoffDoc>(handoffs, 'h-2')).to.deep.equal(handoff('h-2', 'b'));
      });

      it('keeps collections apart: the same id in two collections is two documents', async () => {
        await store.commit(projection, 1n, [
          { collection: handoffs, id: 'x-1', doc: { kind: 'handoff' } },
          { collection: cases, id: 'x-1', doc: { kind: 'case' } },
        ]);
        expect(await store.get(handoffs, 'x-1')).to.deep.equal({ kind: 'handoff' });
        expect(await store.get(cases, 'x-1')).to.deep.equal({ kind: 'case' });
      });

      it('round-trips nested JSON: arrays, numbers, booleans, null', async () => {
        const doc = { list: [1, 2.5, -3, { deep: [true, false, null] }], empty: {}, none: null, text: 'a"b\\c\n' };
        await store.commit(projection, 1n, [{ collection: cases, id: 'c-1', doc }]);
        expect(await store.get(cases, 'c-1')).to.deep.equal(doc);
      });

      it('round-trips Chinese text in documents, ids and index values', async () => {
        const doc = {
          title: '某某公司诉市场监督管理局行政处罚案',
          caseNumber: '(2024)吉04行初12号',
          parties: [{ name: '李四', role: '原告' }],
          summary: '补正：材料不全，退回补充 ✓',
        };
        await store.commit(projection, 1n, [{ collection: cases, id: '案件-一', doc, indexes: { 承办机关: ['辽源市司法局'] } }]);
        expect(await store.get(cases, '案件-一')).to.deep.equal(doc);
        expect(await store.findIds(cases, '承办机关', '辽源市司法局')).to.deep.equal(['案件-一']);
        if (fixture.reopen) {
          store = await fixture.reopen();
          expect(await store.get(cases, '案件-一')).to.deep.equal(doc);
          expect(await store.findIds(cases, '承办机关', '辽源市司法局')).to.deep.equal(['案件-一']);
        }
      });

      it('cannot be changed through an object it returned or was given', async () => {
        const written = { handoffId: 'h-1', tags: ['urgent'] };
        await store.commit(projection, 1n, [{ collection: handoffs, id: 'h-1', doc: written }]);
        tryTo(() => (written.tags[0] = 'changed-after-commit'));
        const read = (await store.get<{ handoffId: string; tags: string[] }>(handoffs, 'h-1'))!;
        tryTo(() => (read.handoffId = 'changed-after-get'));
        tryTo(() => read.tags.push('pushed'));
        const [fromMany] = await store.getMany<{ tags: string[] }>(handoffs, ['h-1']);
        tryTo(() => (fromMany!.tags.length = 0));
        expect(await store.get(handoffs, 'h-1')).to.deep.equal({ handoffId: 'h-1', tags: ['urgent'] });
      });
    });

    describe('indexes', () => {
      it('finds ids under an index value, ascending by id', async () => {
        await store.commit(projection, 1n, [
          { collection: handoffs, id: 'h-3', doc: handoff('h-3', 'ly-justice'), indexes: { toAgency: ['ly-justice'] } },
          { collection: handoffs, id: 'h-1', doc: handoff('h-1', 'ly-justice'), indexes: { toAgency: ['ly-justice'] } },
          { collection: handoffs, id: 'h-2', doc: handoff('h-2', 'ly-court'), indexes: { toAgency: ['ly-court'] } },
        ]);
        expect(await store.findIds(handoffs, 'toAgency', 'ly-justice')).to.deep.equal(['h-1', 'h-3']);
        expect(await store.findIds(handoffs, 'toAgency', 'ly-court')).to.deep.equal(['h-2']);
        expect(await store.findIds(handoffs, 'toAgency', 'ly-police')).to.deep.equal([]);
        expect(await store.findIds(handoffs, 'fromAgency', 'ly-justice')).to.deep.equal([]);
        expect(await store.findIds(unique('empty'), 'toAgency', 'ly-justice')).to.deep.equal([]);
      });

      it('files a document under every value it lists', async () => {
        await store.commit(projection, 1n, [
          { collection: cases, id: 'c-1', doc: { id: 'c-1' }, indexes: { agency: ['ly-court', 'ly-gov', 'ly-justice'] } },
        ]);
        for (const agency of ['ly-court', 'ly-gov', 'ly-justice']) {
          expect(await store.findIds(cases, 'agency', agency)).to.deep.equal(['c-1']);
        }
      });

      it('replaces the entries of a named index when a document is written again', async () => {
        await store.commit(projection, 1n, [
          { collection: cases, id: 'c-1', doc: { v: 1 }, indexes: { agency: ['ly-court', 'ly-gov'], status: ['OPEN'] } },
        ]);
        await store.commit(projection, 2n, [{ collection: cases, id: 'c-1', doc: { v: 2 }, indexes: { agency: ['ly-gov', 'ly-police'] } }]);
        expect(await store.findIds(cases, 'agency', 'ly-court')).to.deep.equal([]);
        expect(await store.findIds(cases, 'agency', 'ly-gov')).to.deep.equal(['c-1']);
        expect(await store.findIds(cases, 'agency', 'ly-police')).to.deep.equal(['c-1']);
        // an index the write does not name keeps its entries
        expect(await store.findIds(cases, 'status', 'OPEN')).to.deep.equal(['c-1']);
      });

      it('keeps a document’s entries when a write names no indexes, and drops them for an empty list', async () => {
        await store.commit(projection, 1n, [{ collection: cases, id: 'c-1', doc: { v: 1 }, indexes: { status: ['OPEN'] } }]);
        await store.commit(projection, 2n, [{ collection: cases, id: 'c-1', doc: { v: 2 } }]);
        expect(await store.findIds(cases, 'status', 'OPEN')).to.deep.equal(['c-1']);
        await store.commit(projection, 3n, [{ collection: cases, id: 'c-1', doc: { v: 3 }, indexes: { status: [] } }]);
        expect(await store.findIds(cases, 'status', 'OPEN')).to.deep.equal([]);
        expect(await store.get(cases, 'c-1')).to.deep.equal({ v: 3 });
      });

      it('removes a deleted document’s entries, and a re-created document starts with none', async () => {
        await store.commit(projection, 1n, [
          { collection: handoffs, id: 'h-1', doc: handoff('h-1', 'a'), indexes: { toAgency: ['a'], status: ['REQUESTED'] } },
          { collection: handoffs, id: 'h-2', doc: handoff('h-2', 'a'), indexes: { toAgency: ['a'] } },
        ]);
        await store.commit(projection, 2n, [{ collection: handoffs, id: 'h-1', doc: null }]);
        expect(await store.findIds(handoffs, 'toAgency', 'a')).to.deep.equal(['h-2']);
        expect(await store.findIds(handoffs, 'status', 'REQUESTED')).to.deep.equal([]);
        await store.commit(projection, 3n, [{ collection: handoffs, id: 'h-1', doc: handoff('h-1', 'b') }]);
        expect(await store.findIds(handoffs, 'toAgency', 'a')).to.deep.equal(['h-2']);
        expect(await store.findIds(handoffs, 'status', 'REQUESTED')).to.deep.equal([]);
      });

      it('keeps index entries of the same name in different collections apart', async () => {
        await store.commit(projection, 1n, [
          { collection: handoffs, id: 'x-1', doc: {}, indexes: { agency: ['a'] } },
          { collection: cases, id: 'x-2', doc: {}, indexes: { agency: ['a'] } },
        ]);
        expect(await store.findIds(handoffs, 'agency', 'a')).to.deep.equal(['x-1']);
        expect(await store.findIds(cases, 'agency', 'a')).to.deep.equal(['x-2']);
      });

      it('keeps its index when the caller changes an array it returned', async () => {
        await store.commit(projection, 1n, [{ collection: handoffs, id: 'h-1', doc: {}, indexes: { toAgency: ['a'] } }]);
        const found = await store.findIds(handoffs, 'toAgency', 'a');
        found.push('h-9');
        const listed = await store.listIds(handoffs);
        listed.length = 0;
        expect(await store.findIds(handoffs, 'toAgency', 'a')).to.deep.equal(['h-1']);
        expect(await store.listIds(handoffs)).to.deep.equal(['h-1']);
      });
    });

    describe('listIds', () => {
      it('lists every id of a collection ascending, without deleted ones', async () => {
        const ids = ['case-10', 'case-02', 'case-1', 'Case-9', 'case-03', 'a', 'case-100'];
        await store.commit(
          projection,
          1n,
          ids.map((id) => ({ collection: cases, id, doc: { id } })),
        );
        await store.commit(projection, 2n, [{ collection: cases, id: 'case-03', doc: null }]);
        expect(await store.listIds(cases)).to.deep.equal(['Case-9', 'a', 'case-02', 'case-1', 'case-10', 'case-100']);
        expect(await store.listIds(unique('empty'))).to.deep.equal([]);
      });

      it('stays ascending through many small commits between reads', async () => {
        const expected: string[] = [];
        for (let round = 0; round < 20; round++) {
          const id = `h-${String((round * 7919) % 101).padStart(3, '0')}`;
          expected.push(id);
          await store.commit(projection, BigInt(round + 1), [{ collection: handoffs, id, doc: {}, indexes: { toAgency: ['a'] } }]);
          expect(await store.listIds(handoffs)).to.deep.equal([...expected].sort());
          expect(await store.findIds(handoffs, 'toAgency', 'a')).to.deep.equal([...expected].sort());
        }
      });
    });

    describe('checkpoints', () => {
      it('is null before the first commit', async () => {
        expect(await store.checkpoint(projection)).to.equal(null);
      });

      it('moves with every commit, also one without writes', async () => {
        await store.commit(projection, 5n, [{ collection: handoffs, id: 'h-1', doc: {} }]);
        expect(await store.checkpoint(projection)).to.equal(5n);
        await store.commit(projection, 9n, []);
        expect(await store.checkpoint(projection)).to.equal(9n);
      });

      it('keeps positions beyond 2^53 exact', async () => {
        const position = 2n ** 62n + 7n;
        await store.commit(projection, position, []);
        expect(await store.checkpoint(projection)).to.equal(position);
      });

      it('keeps one checkpoint per projection', async () => {
        const other = unique('cases-projection');
        await store.commit(projection, 3n, []);
        await store.commit(other, 8n, []);
        expect(await store.checkpoint(projection)).to.equal(3n);
        expect(await store.checkpoint(other)).to.equal(8n);
      });
    });

    describe('reset', () => {
      it('clears the named collections and checkpoints and nothing else', async () => {
        const other = unique('other-projection');
        const kept = unique('kept');
        await store.commit(projection, 4n, [
          { collection: handoffs, id: 'h-1', doc: {}, indexes: { toAgency: ['a'] } },
          { collection: cases, id: 'c-1', doc: {}, indexes: { agency: ['a'] } },
        ]);
        await store.commit(other, 6n, [{ collection: kept, id: 'k-1', doc: { kept: true }, indexes: { agency: ['a'] } }]);

        await store.reset([projection], [handoffs, cases]);

        expect(await store.checkpoint(projection)).to.equal(null);
        expect(await store.listIds(handoffs)).to.deep.equal([]);
        expect(await store.listIds(cases)).to.deep.equal([]);
        expect(await store.get(handoffs, 'h-1')).to.equal(null);
        expect(await store.findIds(handoffs, 'toAgency', 'a')).to.deep.equal([]);
        expect(await store.findIds(cases, 'agency', 'a')).to.deep.equal([]);
        expect(await store.checkpoint(other)).to.equal(6n);
        expect(await store.get(kept, 'k-1')).to.deep.equal({ kept: true });
        expect(await store.findIds(kept, 'agency', 'a')).to.deep.equal(['k-1']);

        // a rebuild then starts from a clean slate
        await store.commit(projection, 1n, [{ collection: handoffs, id: 'h-2', doc: {}, indexes: { toAgency: ['a'] } }]);
        expect(await store.listIds(handoffs)).to.deep.equal(['h-2']);
        expect(await store.findIds(handoffs, 'toAgency', 'a')).to.deep.equal(['h-2']);
        expect(await store.checkpoint(projection)).to.equal(1n);
      });

      it('stays reset after a reopen', async function () {
        if (!fixture.reopen) this.skip();
        await store.commit(projection, 4n, [{ collection: handoffs, id: 'h-1', doc: {}, indexes: { toAgency: ['a'] } }]);
        await store.reset([projection], [handoffs]);
        store = await fixture.reopen!();
        expect(await store.checkpoint(projection)).to.equal(null);
        expect(await store.listIds(handoffs)).to.deep.equal([]);
        expect(await store.findIds(handoffs, 'toAgency', 'a')).to.deep.equal([]);
      });
    });

    describe('reopen', () => {
      it('keeps documents, index entries, deletions and checkpoints', async function () {
        if (!fixture.reopen) this.skip();
        await store.commit(projection, 1n, [
          { collection: handoffs, id: 'h-1', doc: handoff('h-1', 'a'), indexes: { toAgency: ['a'], status: ['REQUESTED'] } },
          { collection: handoffs, id: 'h-2', doc: handoff('h-2', 'b'), indexes: { toAgency: ['b'] } },
          { collection: handoffs, id: 'h-3', doc: handoff('h-3', 'b'), indexes: { toAgency: ['b'] } },
        ]);
        await store.commit(projection, 2n, [
          { collection: handoffs, id: 'h-1', doc: handoff('h-1', 'a', 'RECEIVED'), indexes: { status: ['RECEIVED'] } },
          { collection: handoffs, id: 'h-3', doc: null },
        ]);

        store = await fixture.reopen!();

        expect(await store.checkpoint(projection)).to.equal(2n);
        expect(await store.listIds(handoffs)).to.deep.equal(['h-1', 'h-2']);
        expect(await store.getMany(handoffs, ['h-1', 'h-2', 'h-3'])).to.deep.equal([
          handoff('h-1', 'a', 'RECEIVED'),
          handoff('h-2', 'b'),
          null,
        ]);
        expect(await store.findIds(handoffs, 'toAgency', 'a')).to.deep.equal(['h-1']);
        expect(await store.findIds(handoffs, 'toAgency', 'b')).to.deep.equal(['h-2']);
        expect(await store.findIds(handoffs, 'status', 'REQUESTED')).to.deep.equal([]);
        expect(await store.findIds(handoffs, 'status', 'RECEIVED')).to.deep.equal(['h-1']);

        // and carries on from there: index replacement still sees the entries loaded from storage
        await store.commit(projection, 3n, [{ collection: handoffs, id: 'h-2', doc: handoff('h-2', 'c'), indexes: { toAgency: ['c'] } }]);
        expect(await store.findIds(handoffs, 'toAgency', 'b')).to.deep.equal([]);
        expect(await store.findIds(handoffs, 'toAgency', 'c')).to.deep.equal(['h-2']);
      });
    });

    describe('ordered indexes: range reads', () => {
      /** clocks filed under "<owner agency>|<due date>", the encoding the port's comment describes */
      const clock = (id: string, agency: string, dueDate: string) => ({
        collection: handoffs,
        id,
        doc: { clockId: id, agency, dueDate },
        indexes: { ownerDue: [`${agency}|${dueDate}`] },
      });
      const seedClocks = () =>
        store.commit(projection, 1n, [
          clock('k-4', 'ly-justice', '2026-12-03'),
          clock('k-1', 'ly-justice', '2026-12-01'),
          clock('k-3', 'ly-justice', '2026-12-03'),
          clock('k-2', 'ly-justice', '2026-12-02'),
          clock('k-5', 'ly-justice', '2026-12-09'),
          clock('k-6', 'ly-court', '2026-11-30'),
          clock('k-7', 'ly-justicebureau', '2026-12-01'),
        ]);
      const ids = (page: RangePage): string[] => page.entries.map((entry) => entry.id);
      const all = async (query: Omit<RangeQuery, 'limit'>, limit = 1000) => store.findRange(handoffs, 'ownerDue', { ...query, limit });

      it('reads the entries between two values, both inclusive, ordered by value and then id', async () => {
        await seedClocks();
        // "overdue for ly-justice on 2026-12-04": due on or before the 3rd
        const overdue = await all({ from: 'ly-justice|', to: 'ly-justice|2026-12-03' });
        expect(overdue.entries).to.deep.equal([
          { value: 'ly-justice|2026-12-01', id: 'k-1' },
          { value: 'ly-justice|2026-12-02', id: 'k-2' },
          { value: 'ly-justice|2026-12-03', id: 'k-3' },
          { value: 'ly-justice|2026-12-03', id: 'k-4' },
        ]);
        expect(overdue.next).to.equal(null);
        expect(ids(await all({ from: 'ly-justice|2026-12-02', to: 'ly-justice|2026-12-02' }))).to.deep.equal(['k-2']);
        // a prefix read: a neighbour whose agency id extends this one stays out
        expect(ids(await all({ from: 'ly-justice|', to: 'ly-justice|\u{10ffff}' }))).to.deep.equal(['k-1', 'k-2', 'k-3', 'k-4', 'k-5']);
        // whole index: 'ly-justicebureau|…' sorts before 'ly-justice|…' ('b' < '|'), yet outside its prefix range
        expect(ids(await all({}))).to.deep.equal(['k-6', 'k-7', 'k-1', 'k-2', 'k-3', 'k-4', 'k-5']);
        expect(ids(await all({ to: 'ly-justice|2026-12-01' }))).to.deep.equal(['k-6', 'k-7', 'k-1']);
        expect(ids(await all({ from: 'ly-justice|2026-12-09' }))).to.deep.equal(['k-5']);
      });

      it('answers an empty page for an empty range, an unknown index or collection', async () => {
        await seedClocks();
        const empty = { entries: [], next: null };
        expect(await all({ from: 'ly-justice|2026-12-04', to: 'ly-justice|2026-12-08' })).to.deep.equal(empty);
        expect(await all({ from: 'ly-justice|2026-12-09', to: 'ly-justice|2026-12-01' })).to.deep.equal(empty);
        expect(await all({ from: 'ly-police|', to: 'ly-police|\u{10ffff}' })).to.deep.equal(empty);
        expect(await all({ from: 'ly-police|', to: 'ly-police|\u{10ffff}', reverse: true })).to.deep.equal(empty);
        expect(await store.findRange(handoffs, 'status', { limit: 10 })).to.deep.equal(empty);
        expect(await store.findRange(unique('empty'), 'ownerDue', { limit: 10 })).to.deep.equal(empty);
        expect(await store.countRange(handoffs, 'ownerDue', { from: 'ly-justice|2026-12-04', to: 'ly-justice|2026-12-08' })).to.equal(0);
        expect(await store.countRange(handoffs, 'status')).to.equal(0);
        expect(await store.countRange(unique('empty'), 'ownerDue', {})).to.equal(0);
      });

      it('reads in reverse: descending by value and then id, within the same bounds', async () => {
        await seedClocks();
        expect(ids(await all({ from: 'ly-justice|', to: 'ly-justice|2026-12-03', reverse: true }))).to.deep.equal(['k-4', 'k-3', 'k-2', 'k-1']);
        expect(ids(await all({ reverse: true }))).to.deep.equal(['k-5', 'k-4', 'k-3', 'k-2', 'k-1', 'k-7', 'k-6']);
        const latest = await all({ from: 'ly-justice|', to: 'ly-justice|\u{10ffff}', reverse: true }, 2);
        expect(latest).to.deep.equal({
          entries: [
            { value: 'ly-justice|2026-12-09', id: 'k-5' },
            { value: 'ly-justice|2026-12-03', id: 'k-4' },
          ],
          next: { value: 'ly-justice|2026-12-03', id: 'k-4' },
        });
      });

      it('pages with a cursor: each page starts after the previous one’s next, and the last has none', async () => {
        await seedClocks();
        const bounds = { from: 'ly-justice|', to: 'ly-justice|\u{10ffff}' };
        const first = await all(bounds, 2);
        expect(ids(first)).to.deep.equal(['k-1', 'k-2']);
        expect(first.next).to.deep.equal({ value: 'ly-justice|2026-12-02', id: 'k-2' });
        const second = await all({ ...bounds, after: first.next }, 2);
        expect(ids(second)).to.deep.equal(['k-3', 'k-4']);
        const third = await all({ ...bounds, after: second.next }, 2);
        expect(third).to.deep.equal({ entries: [{ value: 'ly-justice|2026-12-09', id: 'k-5' }], next: null });
        // exactly `limit` entries left: the page is full and still the last one
        expect(await all({ ...bounds, after: first.next }, 3)).to.have.property('next', null);
        // a cursor below `from` or beyond `to` does not widen the range
        expect(ids(await all({ ...bounds, after: { value: 'ly-court|2026-11-30', id: 'k-6' } }))).to.deep.equal(['k-1', 'k-2', 'k-3', 'k-4', 'k-5']);
        expect(ids(await all({ ...bounds, after: { value: 'ly-police|', id: '' }, reverse: true }))).to.deep.equal(['k-5', 'k-4', 'k-3', 'k-2', 'k-1']);
        // the cursor need not be an entry that exists
        expect(ids(await all({ ...bounds, after: { value: 'ly-justice|2026-12-03', id: 'k-35' } }))).to.deep.equal(['k-4', 'k-5']);
        expect(ids(await all({ ...bounds, after: { value: 'ly-justice|2026-12-03', id: 'k-35' }, reverse: true }))).to.deep.equal(['k-3', 'k-2', 'k-1']);
      });

      it('sees every entry present for a whole walk exactly once, while commits land between pages', async () => {
        const entry = (index: number) => clock(`k-${String(index).padStart(3, '0')}`, 'ly-justice', `2026-12-${String(1 + (index % 28)).padStart(2, '0')}`);
        await store.commit(projection, 1n, Array.from({ length: 60 }, (_, index) => entry(index * 2)));
        const stable = new Set(Array.from({ length: 60 }, (_, index) => entry(index * 2).id).filter((_, index) => index % 3 !== 0));
        const seen: IndexEntry[] = [];
        let after: IndexEntry | null = null;
        for (let page = 0; ; page++) {
          const read = await all({ after }, 7);
          seen.push(...read.entries);
          if (read.next === null) break;
          after = read.next;
          // between pages: new entries on both sides of the cursor, and some of the original ones leave
          await store.commit(projection, BigInt(page + 2), [
            entry(page * 4 + 1),
            entry(119 - page * 2),
            { collection: handoffs, id: entry(page * 6).id, doc: null },
          ]);
        }
        const seenIds = seen.map((found) => found.id);
        for (const id of stable) expect(seenIds.filter((seenId) => seenId === id), id).to.have.length(1);
        expect(seen).to.deep.equal([...seen].sort((a, b) => byCodePoint(a.value, b.value) || byCodePoint(a.id, b.id)));
      });

      it('counts the entries within bounds', async () => {
        await seedClocks();
        expect(await store.countRange(handoffs, 'ownerDue')).to.equal(7);
        expect(await store.countRange(handoffs, 'ownerDue', {})).to.equal(7);
        expect(await store.countRange(handoffs, 'ownerDue', { from: 'ly-justice|', to: 'ly-justice|2026-12-03' })).to.equal(4);
        expect(await store.countRange(handoffs, 'ownerDue', { from: 'ly-justice|2026-12-03', to: 'ly-justice|2026-12-03' })).to.equal(2);
        expect(await store.countRange(handoffs, 'ownerDue', { to: 'ly-justice|2026-12-01' })).to.equal(3);
        expect(await store.countRange(handoffs, 'ownerDue', { from: 'ly-justice|2026-12-09' })).to.equal(1);
        expect(await store.countRange(handoffs, 'ownerDue', { from: 'ly-z' })).to.equal(0);
      });

      it('lists a document once per value it is filed under, and keeps each index’s order apart', async () => {
        await store.commit(projection, 1n, [
          { collection: cases, id: 'c-1', doc: {}, indexes: { agencyDue: ['ly-gov|2026-01-05', 'ly-court|2026-01-09'], opened: ['2025-12-01'] } },
          { collection: cases, id: 'c-2', doc: {}, indexes: { agencyDue: ['ly-court|2026-01-02', 'ly-court|2026-01-02'], opened: ['2025-11-01'] } },
        ]);
        expect((await store.findRange(cases, 'agencyDue', { limit: 10 })).entries).to.deep.equal([
          { value: 'ly-court|2026-01-02', id: 'c-2' },
          { value: 'ly-court|2026-01-09', id: 'c-1' },
          { value: 'ly-gov|2026-01-05', id: 'c-1' },
        ]);
        expect((await store.findRange(cases, 'opened', { limit: 10 })).entries.map((entry) => entry.id)).to.deep.equal(['c-2', 'c-1']);
        expect(await store.countRange(cases, 'agencyDue')).to.equal(3);
      });

      it('moves a re-indexed document between ranges, drops a deleted one, and leaves others alone', async () => {
        await seedClocks();
        const overdue = { from: 'ly-justice|', to: 'ly-justice|2026-12-03' };
        await store.commit(projection, 2n, [
          // the deadline was extended: k-2 leaves the overdue range
          clock('k-2', 'ly-justice', '2026-12-20'),
          // handed over to another agency
          clock('k-3', 'ly-court', '2026-12-03'),
          { collection: handoffs, id: 'k-1', doc: null },
          // written without naming the index: keeps its entry
          { collection: handoffs, id: 'k-4', doc: { clockId: 'k-4', note: 'touched' } },
        ]);
        expect(ids(await all(overdue))).to.deep.equal(['k-4']);
        expect(ids(await all({ from: 'ly-court|', to: 'ly-court|\u{10ffff}' }))).to.deep.equal(['k-6', 'k-3']);
        expect(ids(await all({ from: 'ly-justice|', to: 'ly-justice|\u{10ffff}' }))).to.deep.equal(['k-4', 'k-5', 'k-2']);
        expect(await store.countRange(handoffs, 'ownerDue')).to.equal(6);
        expect(await store.findIds(handoffs, 'ownerDue', 'ly-justice|2026-12-20')).to.deep.equal(['k-2']);
        // an empty list takes the document out of the index
        await store.commit(projection, 3n, [{ ...clock('k-5', 'ly-justice', '2026-12-09'), indexes: { ownerDue: [] } }]);
        expect(ids(await all({ from: 'ly-justice|', to: 'ly-justice|\u{10ffff}' }))).to.deep.equal(['k-4', 'k-2']);
        expect(await store.countRange(handoffs, 'ownerDue')).to.equal(5);
      });

      it('is emptied by reset, and filled again by the rebuild that follows', async () => {
        await seedClocks();
        await store.reset([projection], [handoffs]);
        expect(await all({})).to.deep.equal({ entries: [], next: null });
        expect(await store.countRange(handoffs, 'ownerDue')).to.equal(0);
        await store.commit(projection, 1n, [clock('k-9', 'ly-gov', '2027-01-04')]);
        expect(ids(await all({}))).to.deep.equal(['k-9']);
        if (fixture.reopen) {
          store = await fixture.reopen();
          expect(ids(await all({}))).to.deep.equal(['k-9']);
        }
      });

      it('orders values and ids by code point, separators and characters beyond U+FFFF included', async () => {
        // U+FF11 (fullwidth 1) is below U+20000 by code point, above its surrogate pair by UTF-16 code unit
        const values = ['a', 'a\0', 'a\0b', 'a\x01', 'a\x01\0', 'a\x02', 'a|b', 'a:b', 'a%3Ab', 'a{b}', 'a\u{ff11}', 'a\u{20000}', 'ab', '', '辽源|2026'];
        const writes = values.map((value, index) => ({ collection: cases, id: `c-${index}`, doc: { value }, indexes: { key: [value] } }));
        writes.push(
          { collection: cases, id: 'c-x\0\u{20000}', doc: { value: 'a|b' }, indexes: { key: ['a|b'] } },
          { collection: cases, id: 'c-x\0\u{ff11}', doc: { value: 'a|b' }, indexes: { key: ['a|b'] } },
        );
        await store.commit(projection, 1n, writes);
        const expected = writes
          .map(({ id, doc }) => ({ value: doc.value, id }))
          .sort((a, b) => byCodePoint(a.value, b.value) || byCodePoint(a.id, b.id));
        const check = async (): Promise<void> => {
          expect((await store.findRange(cases, 'key', { limit: 100 })).entries).to.deep.equal(expected);
          expect((await store.findRange(cases, 'key', { limit: 100, reverse: true })).entries).to.deep.equal([...expected].reverse());
          expect((await store.findRange(cases, 'key', { from: 'a\0', to: 'a\x01', limit: 100 })).entries.map((entry) => entry.value)).to.deep.equal(['a\0', 'a\0b', 'a\x01']);
          expect(await store.countRange(cases, 'key', { from: 'a\0', to: 'a\x01' })).to.equal(3);
          expect(await store.countRange(cases, 'key', { from: '', to: '' })).to.equal(1);
          expect(await store.countRange(cases, 'key', { from: 'a\u{ff11}', to: 'a\u{20000}' })).to.equal(2);
          const walked: IndexEntry[] = [];
          let after: IndexEntry | null = null;
          do {
            const page: RangePage = await store.findRange(cases, 'key', { after, limit: 2 });
            walked.push(...page.entries);
            after = page.next;
          } while (after !== null);
          expect(walked).to.deep.equal(expected);
          for (const value of values) expect(await store.findIds(cases, 'key', value), JSON.stringify(value)).to.have.length(value === 'a|b' ? 3 : 1);
        };
        await check();
        if (fixture.reopen) {
          store = await fixture.reopen();
          await check();
        }
      });

      it('gives the same ranges after a reopen, and carries on from them', async function () {
        if (!fixture.reopen) this.skip();
        await seedClocks();
        await store.commit(projection, 2n, [clock('k-2', 'ly-justice', '2026-12-20'), { collection: handoffs, id: 'k-6', doc: null }]);
        const before = await all({});
        const reversed = await all({ from: 'ly-justice|', reverse: true }, 3);
        store = await fixture.reopen!();
        expect(await all({})).to.deep.equal(before);
        expect(await all({ from: 'ly-justice|', reverse: true }, 3)).to.deep.equal(reversed);
        expect(await store.countRange(handoffs, 'ownerDue')).to.equal(6);
        await store.commit(projection, 3n, [clock('k-1', 'ly-court', '2026-12-01')]);
        expect(ids(await all({ from: 'ly-court|', to: 'ly-court|\u{10ffff}' }))).to.deep.equal(['k-1']);
        expect(ids(await all({ from: 'ly-justice|', to: 'ly-justice|2026-12-03' }))).to.deep.equal(['k-3', 'k-4']);
      });

      it('refuses a limit that is not a positive integer', async () => {
        for (const limit of [0, -1, 1.5, Number.NaN]) {
          let failure: unknown;
          await store.findRange(handoffs, 'ownerDue', { limit }).catch((error: unknown) => (failure = error));
          expect(failure, String(limit)).to.be.instanceOf(RangeError);
        }
      });

      it('pages through any range exactly as one read of it, and counts it (property)', async function () {
        this.timeout(120_000);
        // a small alphabet so values share prefixes, with the characters an encoding could trip over
        const text = fc.string({ unit: fc.constantFrom('a', 'b', '|', ':', '\0', '\x01', '\x02', '中', '\u{ff11}', '\u{20000}'), maxLength: 3 });
        const values = fc.uniqueArray(text, { maxLength: 3 });
        const writesArb = fc.array(fc.record({ id: fc.constantFrom('d-1', 'd-2', 'd-3', 'd-4', 'd-5', 'd-\0', 'd-\u{20000}', 'd-\u{ff11}'), values: fc.option(values) }), {
          maxLength: 12,
        });
        const queryArb = fc.record({
          from: fc.option(text, { nil: undefined }),
          to: fc.option(text, { nil: undefined }),
          reverse: fc.boolean(),
          limit: fc.integer({ min: 1, max: 4 }),
        });
        let round = 0;
        await fc.assert(
          fc.asyncProperty(writesArb, writesArb, fc.array(queryArb, { minLength: 1, maxLength: 4 }), async (first, second, queries) => {
            const collection = unique('ranges');
            const model = new Map<string, readonly string[]>();
            for (const writes of [first, second]) {
              await store.commit(
                projection,
                BigInt(++round),
                writes.map(({ id, values }) => ({ collection, id, doc: values === null ? null : { id }, indexes: values === null ? undefined : { key: values } })),
              );
              for (const { id, values } of writes) {
                if (values === null) model.delete(id);
                else model.set(id, values);
              }
            }
            for (const query of queries) {
              const inRange = (value: string) =>
                (query.from === undefined || byCodePoint(value, query.from) >= 0) && (query.to === undefined || byCodePoint(value, query.to) <= 0);
              const expected = [...model]
                .flatMap(([id, values]) => [...new Set(values)].map((value) => ({ value, id })))
                .filter((entry) => inRange(entry.value))
                .sort((a, b) => byCodePoint(a.value, b.value) || byCodePoint(a.id, b.id));
              if (query.reverse) expected.reverse();
              const bounds = { from: query.from, to: query.to };
              expect((await store.findRange(collection, 'key', { ...query, limit: 1000 })).entries).to.deep.equal(expected);
              expect(await store.countRange(collection, 'key', bounds)).to.equal(expected.length);
              const walked: IndexEntry[] = [];
              let after: IndexEntry | null = null;
              for (let pages = 0; ; pages++) {
                const page: RangePage = await store.findRange(collection, 'key', { ...query, after });
                expect(page.entries.length).to.be.at.most(query.limit);
                walked.push(...page.entries);
                if (page.next === null) break;
                expect(page.next).to.deep.equal(page.entries.at(-1));
                expect(pages).to.be.below(expected.length);
                after = page.next;
              }
              expect(walked).to.deep.equal(expected);
            }
          }),
          { numRuns: 40 },
        );
      });
    });

    describe('range-only indexes (DocumentWrite.rangeIndexes)', () => {
      /** board entries, unique per document and value, next to an ordinary index in the same collection */
      const card = (id: string, lane: string, due: string, agency = 'ly-justice') => ({
        collection: handoffs,
        id,
        doc: { id, lane, due, agency },
        indexes: { board: [`*|${lane}|${due}|${id}`, `t:${agency}|${lane}|${due}|${id}`], toAgency: [agency] },
        rangeIndexes: ['board'],
      });
      const gone = (id: string) => ({ collection: handoffs, id, doc: null, rangeIndexes: ['board'] });
      const lane = async (prefix: string, reverse = false) =>
        (await store.findRange(handoffs, 'board', { from: prefix, to: `${prefix}\u{10ffff}`, limit: 100, reverse })).entries.map((entry) => entry.id);

      it('answers range reads and counts as an ordinary index does, and keeps the ordinary index beside it', async () => {
        await store.commit(projection, 1n, [card('h-3', 'R', '2026-12-03'), card('h-1', 'R', '2026-12-01', 'ly-court'), card('h-2', 'E', '2026-11-30')]);
        expect(await lane('*|R|')).to.deep.equal(['h-1', 'h-3']);
        expect(await lane('*|R|', true)).to.deep.equal(['h-3', 'h-1']);
        expect(await lane('t:ly-justice|')).to.deep.equal(['h-2', 'h-3']);
        expect(await store.countRange(handoffs, 'board')).to.equal(6);
        expect(await store.countRange(handoffs, 'board', { from: '*|', to: '*|\u{10ffff}' })).to.equal(3);
        expect(await store.findIds(handoffs, 'toAgency', 'ly-justice')).to.deep.equal(['h-2', 'h-3']);
        expect(await store.findIds(handoffs, 'toAgency', 'ly-court')).to.deep.equal(['h-1']);
      });

      it('serves findIds on a range-only index as the one-value range [value, value]', async () => {
        await store.commit(projection, 1n, [card('h-1', 'R', '2026-12-01'), card('h-2', 'R', '2026-12-02')]);
        expect(await store.findIds(handoffs, 'board', '*|R|2026-12-01|h-1')).to.deep.equal(['h-1']);
        expect(await store.findIds(handoffs, 'board', '*|R|2026-12-01')).to.deep.equal([]);
        expect(await store.findIds(handoffs, 'board', 'nothing')).to.deep.equal([]);
        // several documents under one value: ascending by id
        await store.commit(projection, 2n, [
          { collection: handoffs, id: 'h-9', doc: {}, indexes: { board: ['shared'] }, rangeIndexes: ['board'] },
          { collection: handoffs, id: 'h-0', doc: {}, indexes: { board: ['shared', 'sharedX'] }, rangeIndexes: ['board'] },
        ]);
        expect(await store.findIds(handoffs, 'board', 'shared')).to.deep.equal(['h-0', 'h-9']);
        expect(await store.findIds(handoffs, 'board', 'sharedX')).to.deep.equal(['h-0']);
      });

      it('moves a re-indexed document, drops a deleted one, and a re-created one starts with no entries', async () => {
        await store.commit(projection, 1n, [card('h-1', 'R', '2026-12-01'), card('h-2', 'R', '2026-12-02'), card('h-3', 'R', '2026-12-03')]);
        await store.commit(projection, 2n, [card('h-1', 'E', '2026-12-01'), gone('h-2'), { collection: handoffs, id: 'h-3', doc: { touched: true }, rangeIndexes: ['board'] }]);
        expect(await lane('*|R|')).to.deep.equal(['h-3']);
        expect(await lane('*|E|')).to.deep.equal(['h-1']);
        expect(await store.countRange(handoffs, 'board')).to.equal(4);
        expect(await store.findIds(handoffs, 'board', '*|R|2026-12-01|h-1')).to.deep.equal([]);
        expect(await store.findIds(handoffs, 'toAgency', 'ly-justice')).to.deep.equal(['h-1', 'h-3']);
        // deleted and written again in one commit: only the new entries
        await store.commit(projection, 3n, [gone('h-1'), { ...card('h-1', 'N', '2026-12-05'), indexes: { board: ['*|N|2026-12-05|h-1'] } }]);
        expect(await lane('*|E|')).to.deep.equal([]);
        expect(await lane('*|N|')).to.deep.equal(['h-1']);
        expect(await store.findIds(handoffs, 'toAgency', 'ly-justice')).to.deep.equal(['h-3']);
        // an empty list takes the document out of the index
        await store.commit(projection, 4n, [{ ...card('h-3', 'R', '2026-12-03'), indexes: { board: [] } }]);
        expect(await store.countRange(handoffs, 'board')).to.equal(1);
        expect(await store.findIds(handoffs, 'toAgency', 'ly-justice')).to.deep.equal(['h-3']);
      });

      it('is emptied by reset, filled again by the rebuild that follows, and kept across a reopen', async () => {
        await store.commit(projection, 1n, [card('h-1', 'R', '2026-12-01'), card('h-2', 'R', '2026-12-02')]);
        await store.reset([projection], [handoffs]);
        expect(await store.countRange(handoffs, 'board')).to.equal(0);
        expect(await store.findIds(handoffs, 'board', '*|R|2026-12-01|h-1')).to.deep.equal([]);
        expect(await store.findIds(handoffs, 'toAgency', 'ly-justice')).to.deep.equal([]);
        await store.commit(projection, 1n, [card('h-3', 'R', '2026-12-03')]);
        expect(await lane('*|R|')).to.deep.equal(['h-3']);
        if (fixture.reopen) {
          store = await fixture.reopen();
          expect(await lane('*|R|')).to.deep.equal(['h-3']);
          expect(await store.findIds(handoffs, 'board', '*|R|2026-12-03|h-3')).to.deep.equal(['h-3']);
          await store.commit(projection, 2n, [card('h-3', 'E', '2026-12-03')]);
          expect(await lane('*|R|')).to.deep.equal([]);
          expect(await lane('*|E|')).to.deep.equal(['h-3']);
        }
      });
    });

    describe('counted groups (DocumentWrite.countedGroups)', () => {
      const counting = { board: { separator: '|', fields: 2 } };
      /** a board card filed under two scopes, `*` and the agency's, in one lane */
      const card = (id: string, lane: string, agency = 'ly-justice', counted = true) => ({
        collection: handoffs,
        id,
        doc: { id, lane },
        indexes: { board: [`*|${lane}|${id}`, `t:${agency}|${lane}|${id}`] },
        rangeIndexes: ['board'],
        ...(counted ? { countedGroups: counting } : {}),
      });
      const gone = (id: string) => ({ collection: handoffs, id, doc: null, rangeIndexes: ['board'], countedGroups: counting });
      const count = (group: string) => store.countRange(handoffs, 'board', groupBounds(group));
      /** the oracle: the group's entries read page by page */
      const walk = async (group: string): Promise<number> => {
        let n = 0;
        let after: IndexEntry | null = null;
        do {
          const page: RangePage = await store.findRange(handoffs, 'board', { ...groupBounds(group), after, limit: 2 });
          n += page.entries.length;
          after = page.next;
        } while (after !== null);
        return n;
      };
      const expectCounts = async (expected: Record<string, number>) => {
        for (const [group, n] of Object.entries(expected)) {
          expect(await count(group), `count of ${group}`).to.equal(n);
          expect(await walk(group), `entries of ${group}`).to.equal(n);
        }
      };

      it('groupOf takes the value up to the n-th separator, and nothing from a value with fewer', () => {
        expect(groupOf('*|ECOMPLETED|2026-12-03|c/h', counting.board)).to.equal('*|ECOMPLETED|');
        expect(groupOf('*|ECOMPLETED|', counting.board)).to.equal('*|ECOMPLETED|');
        expect(groupOf('*|ECOMPLETED', counting.board)).to.equal(null);
        expect(groupOf('a::b::c', { separator: '::', fields: 1 })).to.equal('a::');
        expect(groupBounds('*|R|')).to.deep.equal({ from: '*|R|', to: '*|R|\u{10ffff}' });
      });

      it('counts each group through inserts, moves, deletes and a delete-and-write in one commit', async () => {
        await store.commit(projection, 1n, [card('h-1', 'R'), card('h-2', 'R', 'ly-court'), card('h-3', 'E'), card('h-4', 'E')]);
        await expectCounts({ '*|R|': 2, '*|E|': 2, 't:ly-justice|R|': 1, 't:ly-court|R|': 1, 't:ly-justice|E|': 2, '*|N|': 0 });
        // h-1 ends, h-3 is deleted, h-4 is deleted and written again in another lane, h-2 is written unchanged
        await store.commit(projection, 2n, [card('h-1', 'E'), gone('h-3'), gone('h-4'), card('h-4', 'N'), card('h-2', 'R', 'ly-court')]);
        await expectCounts({ '*|R|': 1, '*|E|': 1, '*|N|': 1, 't:ly-justice|R|': 0, 't:ly-justice|E|': 1, 't:ly-justice|N|': 1, 't:ly-court|R|': 1 });
        // a range that is not one whole group is counted as any range is
        expect(await store.countRange(handoffs, 'board', { from: '*|', to: '*|\u{10ffff}' })).to.equal(3);
        expect(await store.countRange(handoffs, 'board', { from: '*|R|', to: '*|R|h-1' })).to.equal(0);
        expect(await store.countRange(handoffs, 'board', { from: '*|R|', to: '*|R|h-2' })).to.equal(1);
        expect(await store.countRange(handoffs, 'board')).to.equal(6);
        if (fixture.reopen) {
          store = await fixture.reopen();
          await expectCounts({ '*|R|': 1, '*|E|': 1, '*|N|': 1, 't:ly-justice|E|': 1 });
          await store.commit(projection, 3n, [card('h-5', 'E')]);
          await expectCounts({ '*|E|': 2, 't:ly-justice|E|': 2 });
        }
      });

      it('counts the entries an index already held when it becomes counted', async () => {
        await store.commit(projection, 1n, [card('h-1', 'E', 'ly-justice', false), card('h-2', 'E', 'ly-justice', false), card('h-3', 'R', 'ly-justice', false)]);
        await store.commit(projection, 2n, [card('h-4', 'E')]);
        await expectCounts({ '*|E|': 3, '*|R|': 1, 't:ly-justice|E|': 3 });
        await store.commit(projection, 3n, [gone('h-1')]);
        await expectCounts({ '*|E|': 2, 't:ly-justice|E|': 2 });
      });

      it('is emptied by reset and counts the rebuild that follows', async () => {
        await store.commit(projection, 1n, [card('h-1', 'E'), card('h-2', 'E')]);
        await store.reset([projection], [handoffs]);
        await expectCounts({ '*|E|': 0, 't:ly-justice|E|': 0 });
        await store.commit(projection, 1n, [card('h-3', 'E')]);
        await expectCounts({ '*|E|': 1, 't:ly-justice|E|': 1 });
      });

      it('answers a prefix range of several whole groups, and counts a value with fewer fields on its own', async () => {
        const rows = unique('rows');
        const filed = (id: string, values: string[]) => ({ collection: rows, id, doc: { id }, indexes: { row: values }, rangeIndexes: ['row'], countedGroups: { row: { separator: '|', fields: 3 } } });
        await store.commit(projection, 1n, [
          filed('c1', ['a|2026Q3|j0|c1', 'a|2026Q3|g1|c1']),
          filed('c2', ['a|2026Q3|j1|c2', 'a|2026Q4|j0|c2']),
          filed('c3', ['a|2026Q3|j1|c3', 'a|2026Q3|j', 'a|2026Q3|j1']),
          filed('c4', ['b|2026Q3|j0|c4']),
        ]);
        const count = (prefix: string) => store.countRange(rows, 'row', { from: prefix, to: `${prefix}\u{10ffff}` });
        // `a|2026Q3|j` covers the groups j0 and j1 and the two short values that start with it
        expect(await count('a|2026Q3|j')).to.equal(5);
        expect(await count('a|2026Q3|j1')).to.equal(3);
        expect(await count('a|2026Q3|j1|')).to.equal(2);
        expect(await count('a|2026Q3|')).to.equal(6);
        expect(await count('a|')).to.equal(7);
        expect(await count('a|2026Q3|j1|c')).to.equal(2);
        expect(await count('a|2026Q3|j1|c3')).to.equal(1);
        expect(await count('')).to.equal(8);
        await store.commit(projection, 2n, [filed('c3', ['a|2026Q4|j1|c3']), { collection: rows, id: 'c1', doc: null, rangeIndexes: ['row'], countedGroups: { row: { separator: '|', fields: 3 } } }]);
        expect(await count('a|2026Q3|j')).to.equal(1);
        expect(await count('a|2026Q4|j')).to.equal(2);
        expect(await count('a|2026Q3|')).to.equal(1);
      });

      it('agrees with the entries after any sequence of commits', async () => {
        const lanes = ['R', 'N', 'E'];
        const writeArb = fc.record({ id: fc.constantFrom('h-1', 'h-2', 'h-3', 'h-4', 'h-5'), lane: fc.constantFrom(...lanes, null), agency: fc.constantFrom('a', 'b') });
        let round = 0;
        await fc.assert(
          fc.asyncProperty(fc.array(fc.array(writeArb, { maxLength: 6 }), { minLength: 1, maxLength: 5 }), async (commits) => {
            handoffs = unique('handoffs');
            for (const writes of commits) {
              await store.commit(projection, BigInt(++round), writes.map(({ id, lane, agency }) => (lane === null ? gone(id) : card(id, lane, agency))));
            }
            for (const scope of ['*', 't:a', 't:b']) for (const lane of lanes) expect(await count(`${scope}|${lane}|`)).to.equal(await walk(`${scope}|${lane}|`));
            for (const prefix of ['*|', 't:', 't:a|', '*', '']) expect(await count(prefix)).to.equal(await walk(prefix));
          }),
          { numRuns: 25 },
        );
      });
    });

    describe('a large commit', () => {
      it('writes 10,000 documents with their index entries in one commit', async () => {
        const count = 10_000;
        const agencies = ['ly-court', 'ly-procuratorate', 'ly-police', 'ly-justice', 'ly-gov'];
        const id = (index: number): string => `h-${String(index).padStart(5, '0')}`;
        await store.commit(
          projection,
          BigInt(count),
          Array.from({ length: count }, (_, index) => ({
            collection: handoffs,
            id: id(index),
            doc: { handoffId: id(index), toAgency: agencies[index % 5], note: '移送材料' },
            indexes: { toAgency: [agencies[index % 5]!] },
          })),
        );
        expect(await store.checkpoint(projection)).to.equal(BigInt(count));
        const ids = await store.listIds(handoffs);
        expect(ids).to.have.length(count);
        expect(ids[0]).to.equal(id(0));
        expect(ids.at(-1)).to.equal(id(count - 1));
        const justice = await store.findIds(handoffs, 'toAgency', 'ly-justice');
        expect(justice).to.have.length(count / 5);
        expect(justice.slice(0, 2)).to.deep.equal([id(3), id(8)]);
        const docs = await store.getMany<{ handoffId: string }>(handoffs, ids.slice(5000, 5010));
        expect(docs.map((doc) => doc?.handoffId)).to.deep.equal(ids.slice(5000, 5010));
        if (fixture.reopen) {
          store = await fixture.reopen();
          expect(await store.listIds(handoffs)).to.have.length(count);
          expect(await store.findIds(handoffs, 'toAgency', 'ly-justice')).to.deep.equal(justice);
        }
      });
    });
  });
}

/** the order the port promises: Unicode code points, i.e. UTF-8 bytes (an oracle independent of the adapters' own comparison) */
function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** a store may freeze what it hands out (the change throws) or hand out copies (the change is lost) */
function tryTo(change: () => unknown): void {
  try {
    change();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
}

/**
 * A rough measure of one ordered index of 100,000 entries (printed by the adapters' specs, not asserted):
 * one commit of 100,000 clock documents filed under "<agency>|<due date>", then 100 live commits moving 10
 * clocks each to another due date, then 50-entry pages (one agency's overdue range, from its start and from a
 * cursor in the middle of the index) and a count of one agency's range. `projection` and `collection` must be
 * fresh names. Checks what it reads, so a wrong answer cannot pass for a fast one.
 */
export async function measureOrderedIndex(store: ReadModelStore, projection: string, collection: string): Promise<string> {
  const size = 100_000;
  const agencies = Array.from({ length: 20 }, (_, index) => `ly-agency-${String(index).padStart(2, '0')}`);
  const due = (n: number): string => {
    const day = new Date(Date.UTC(2026, 0, 1) + (n % 730) * 86_400_000);
    return day.toISOString().slice(0, 10);
  };
  // ids in a scattered order, so inserts land all over the index
  const id = (index: number): string => `clock-${String((index * 7919) % size).padStart(6, '0')}`;
  const clock = (index: number, shift: number) => {
    const agency = agencies[index % agencies.length]!;
    const dueDate = due(index * 31 + shift);
    return { collection, id: id(index), doc: { clockId: id(index), agency, dueDate }, indexes: { ownerDue: [`${agency}|${dueDate}`] } };
  };

  let started = performance.now();
  await store.commit(projection, 1n, Array.from({ length: size }, (_, index) => clock(index, 0)));
  const bulk = performance.now() - started;

  const live: number[] = [];
  for (let round = 0; round < 100; round++) {
    const writes = Array.from({ length: 10 }, (_, offset) => clock((round * 997 + offset * 9973) % size, round + 1));
    started = performance.now();
    await store.commit(projection, BigInt(round + 2), writes);
    live.push(performance.now() - started);
  }

  const overdue = { from: `${agencies[7]}|`, to: `${agencies[7]}|2026-09-30` };
  const expectedOverdue = await store.countRange(collection, 'ownerDue', overdue);
  expect(expectedOverdue).to.be.greaterThan(1000);
  const firstPages: number[] = [];
  const cursorPages: number[] = [];
  let cursor: IndexEntry | null = null;
  for (let attempt = 0; attempt < 200; attempt++) {
    started = performance.now();
    const first = await store.findRange(collection, 'ownerDue', { ...overdue, limit: 50 });
    firstPages.push(performance.now() - started);
    expect(first.entries).to.have.length(50);
    // a cursor somewhere in the middle of the whole index, a different one each time
    cursor = { value: `${agencies[(attempt * 7) % agencies.length]}|${due(attempt * 13)}`, id: '' };
    started = performance.now();
    const page = await store.findRange(collection, 'ownerDue', { after: cursor, limit: 50, reverse: attempt % 2 === 1 });
    cursorPages.push(performance.now() - started);
    expect(page.entries).to.have.length(50);
  }
  started = performance.now();
  const counted = await store.countRange(collection, 'ownerDue', { from: `${agencies[3]}|`, to: `${agencies[3]}|\u{10ffff}` });
  const count = performance.now() - started;
  expect(counted).to.equal(size / agencies.length);

  const ms = (values: readonly number[], q: number): string => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2);
  };
  return (
    `ordered index of 100,000 entries: one commit of 100,000 documents ${bulk.toFixed(0)} ms; ` +
    `commits moving 10 entries median ${ms(live, 0.5)} ms, p95 ${ms(live, 0.95)} ms; ` +
    `a 50-entry page median ${ms(firstPages, 0.5)} ms (p95 ${ms(firstPages, 0.95)}), from a cursor mid-index ${ms(cursorPages, 0.5)} ms (p95 ${ms(cursorPages, 0.95)}); ` +
    `countRange of 5,000 ${count.toFixed(2)} ms`
  );
}
