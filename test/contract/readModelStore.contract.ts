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
import type { ReadModelStore } from '../../ports/readModelStore.js';

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

/** a store may freeze what it hands out (the change throws) or hand out copies (the change is lost) */
function tryTo(change: () => unknown): void {
  try {
    change();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
}
