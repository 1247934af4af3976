import { expect } from 'chai';
import { createInProcessChangeFeed, type ReadModelChange } from '../../../ports/changeFeed.js';
import { openEmbeddedReadModelStore } from '../../../infra/readModels/embeddedReadModelStore.js';
import { publishingReadModels } from '../../../infra/readModels/publishingReadModels.js';
import { changeFeedContract } from '../../contract/changeFeed.contract.js';

describe('in-process change feed', () => {
  changeFeedContract(async () => {
    const feed = createInProcessChangeFeed();
    return { publisher: feed, follower: feed };
  });
});

describe('publishingReadModels: a commit tells the feed what it changed', () => {
  const setUp = () => {
    const feed = createInProcessChangeFeed();
    const heard: ReadModelChange[] = [];
    feed.subscribe((change) => heard.push(change));
    const store = openEmbeddedReadModelStore({ path: ':memory:' });
    return { feed, heard, store, published: publishingReadModels(store, { feed, collections: ['clocks', 'cases'] }) };
  };

  it('names each watched collection once with the ids written or deleted, after the commit is readable', async () => {
    const { heard, store, published } = setUp();
    let seenWhenHeard: unknown = 'not heard';
    const feed = createInProcessChangeFeed();
    const checking = publishingReadModels(store, { feed, collections: ['cases'] });
    feed.subscribe(() => void store.get('cases', 'C9').then((doc) => (seenWhenHeard = doc)));
    await checking.commit('cases', 1n, [{ collection: 'cases', id: 'C9', doc: { title: '案' } }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seenWhenHeard, 'the document is committed when the change is heard').to.deep.equal({ title: '案' });

    await published.commit('clocks', 2n, [
      { collection: 'clocks', id: 'h:C1/H1', doc: { clocks: [] } },
      { collection: 'clocks', id: 'h:C1/H1', doc: { clocks: [1] } },
      { collection: 'clocks', id: 'c:C1', doc: null },
      { collection: 'handoffBoard', id: 'x', doc: { any: 1 } },
    ]);
    await published.commit('cases', 3n, [{ collection: 'cases', id: 'C1', doc: { title: '案一' } }]);
    expect(heard).to.deep.equal([
      { collection: 'clocks', ids: ['h:C1/H1', 'c:C1'] },
      { collection: 'cases', ids: ['C1'] },
    ]);
    expect(await published.checkpoint('cases')).to.equal(3n);
    await store.close();
  });

  it('says nothing for a commit of unwatched collections or of a checkpoint alone, nor for a commit that failed', async () => {
    const { feed, heard, store, published } = setUp();
    await published.commit('handoffBoard', 1n, [{ collection: 'handoffBoard', id: 'x', doc: { any: 1 } }]);
    await published.commit('clocks', 2n, []);
    const failing = publishingReadModels(
      { ...store, commit: async () => Promise.reject(new Error('disk full')) },
      { feed, collections: ['clocks'] },
    );
    await failing.commit('clocks', 3n, [{ collection: 'clocks', id: 'a:1', doc: {} }]).then(
      () => expect.fail('the commit failed'),
      (e: Error) => expect(e.message).to.equal('disk full'),
    );
    expect(heard).to.deep.equal([]);
    await store.close();
  });

  it('a publish that fails is reported, and the commit stands', async () => {
    const store = openEmbeddedReadModelStore({ path: ':memory:' });
    const reported: unknown[] = [];
    const broken = { ...createInProcessChangeFeed(), publish: async () => Promise.reject(new Error('Redis away')) };
    const published = publishingReadModels(store, { feed: broken, collections: ['cases'], onPublishError: (e) => reported.push(e) });
    await published.commit('cases', 1n, [{ collection: 'cases', id: 'C1', doc: { title: '案' } }]);
    expect(await store.get('cases', 'C1')).to.deep.equal({ title: '案' });
    expect(reported.map((e) => (e as Error).message)).to.deep.equal(['Redis away']);
    await store.close();
  });
});
