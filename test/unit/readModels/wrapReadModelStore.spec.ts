import { expect } from 'chai';
import { createInProcessChangeFeed } from '../../../ports/changeFeed.js';
import { wrapReadModelStore, type ReadModelStore } from '../../../ports/readModelStore.js';
import { openEmbeddedReadModelStore } from '../../../infra/readModels/embeddedReadModelStore.js';
import { publishingReadModels } from '../../../infra/readModels/publishingReadModels.js';
import { fencedReadModelStore } from '../../../infra/lease/fencedReadModels.js';
import { feedCaseSearch } from '../../../projections/caseSearch/feedCaseSearch.js';
import { openSqliteCaseSearch } from '../../../infra/search/sqliteCaseSearch.js';

/**
 * The stores that wrap another (publishing changes, feeding the search index, fencing a lease holder's writes) pass
 * its hints on: the runner reads them from the store it is given, and a lost `holdsEventLoop` would silently put the
 * embedded store's live work back into whole slices, a lost `rebuildBufferDocuments` the Redis store's rebuild
 * commits back to the default size.
 */
describe('wrapping a read-model store keeps its hints and its documents', () => {
  const open = () => {
    const embedded = openEmbeddedReadModelStore({ path: ':memory:' });
    // the embedded store holds the loop; a rebuild buffer as the Redis store sets one
    const hinted: ReadModelStore = { ...wrapReadModelStore(embedded, {}), rebuildBufferDocuments: 123 };
    return { embedded, hinted };
  };
  const wrappers: [string, (store: ReadModelStore) => ReadModelStore][] = [
    ['publishingReadModels', (store) => publishingReadModels(store, { feed: createInProcessChangeFeed(), collections: ['cases'] })],
    ['feedCaseSearch', (store) => feedCaseSearch(store, openSqliteCaseSearch({ path: ':memory:' }))],
    ['fencedReadModelStore', (store) => fencedReadModelStore(store, async () => undefined)],
  ];

  for (const [name, wrap] of wrappers) {
    it(`${name} passes holdsEventLoop and rebuildBufferDocuments on, and reads what it committed`, async () => {
      const { embedded, hinted } = open();
      const wrapped = wrap(hinted);
      expect(wrapped.holdsEventLoop).to.equal(true);
      expect(wrapped.rebuildBufferDocuments).to.equal(123);
      await wrapped.commit('cases', 7n, [{ collection: 'cases', id: 'C1', doc: { title: '案一' }, indexes: { status: ['open'] } }]);
      expect(await embedded.get('cases', 'C1')).to.deep.equal({ title: '案一' });
      expect(await wrapped.findIds('cases', 'status', 'open')).to.deep.equal(['C1']);
      expect(await wrapped.checkpoint('cases')).to.equal(7n);
      await wrapped.close();
    });
  }

  it('a store without hints stays without them', () => {
    const embedded = openEmbeddedReadModelStore({ path: ':memory:' });
    const { holdsEventLoop, ...withoutHints } = wrapReadModelStore(embedded, {});
    expect(holdsEventLoop).to.equal(true);
    const wrapped = wrapReadModelStore(withoutHints, {});
    expect('holdsEventLoop' in wrapped).to.equal(false);
    expect('rebuildBufferDocuments' in wrapped).to.equal(false);
  });

  it('what the wrapper replaces runs instead of the inner store', async () => {
    const embedded = openEmbeddedReadModelStore({ path: ':memory:' });
    const fenced: string[] = [];
    const wrapped = wrapReadModelStore(embedded, {
      async commit(projection, position, writes) {
        fenced.push(projection);
        await embedded.commit(projection, position, writes);
      },
    });
    await wrapped.commit('clocks', 3n, [{ collection: 'clocks', id: 'K1', doc: { n: 1 } }]);
    expect(fenced).to.deep.equal(['clocks']);
    expect(await wrapped.get('clocks', 'K1')).to.deep.equal({ n: 1 });
  });
});
