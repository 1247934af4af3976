import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openDurableDatabase } from '../../../infra/eventStore/sqliteDatabase.js';
import { openEmbeddedReadModelStore, type EmbeddedReadModelStoreOptions } from '../../../infra/readModels/embeddedReadModelStore.js';
import type { ReadModelStore } from '../../../ports/readModelStore.js';
import { measureOrderedIndex, readModelStoreContract } from '../../contract/readModelStore.contract.js';

/** a store in a file of its own, reopened on the same file */
const inFile = (options: Omit<EmbeddedReadModelStoreOptions, 'path'> = {}) => async () => {
  const dir = mkdtempSync(join(tmpdir(), 'liandong-readmodels-'));
  const open = () => openEmbeddedReadModelStore({ path: join(dir, 'readmodels.db'), ...options });
  let store = open();
  return {
    get store() {
      return store;
    },
    reopen: async () => (await store.close(), (store = open())),
    cleanup: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })),
  };
};

readModelStoreContract('embedded (SQLite file)', inFile());
// a rebuild's target (bench/rebuild.ts, `liandong replay`): nothing it commits is cached, so the first read after a commit is from the file
readModelStoreContract('embedded (SQLite file, commits not cached)', inFile({ cacheCommitted: false }));

readModelStoreContract('embedded (:memory:)', async () => {
  const store = openEmbeddedReadModelStore({ path: ':memory:' });
  return { store, cleanup: () => store.close() };
});

// What only the embedded adapter promises: a failed commit changes nothing, in memory or on disk;
// documents handed out are frozen.

describe('embedded read model store', () => {
  let dir: string;
  let path: string;
  let store: ReadModelStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-readmodels-'));
    path = join(dir, 'readmodels.db');
    store = openEmbeddedReadModelStore({ path });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('a commit that throws midway', () => {
    const circular = (): Record<string, unknown> => {
      const doc: Record<string, unknown> = { title: '循环' };
      doc['self'] = doc;
      return doc;
    };

    beforeEach(async () => {
      await store.commit('cases', 10n, [
        { collection: 'cases', id: 'c-1', doc: { v: 1 }, indexes: { status: ['OPEN'] } },
        { collection: 'cases', id: 'c-2', doc: { v: 1 }, indexes: { status: ['OPEN'] } },
      ]);
    });

    const attemptBrokenCommit = async (): Promise<void> => {
      let failure: unknown;
      try {
        await store.commit('cases', 20n, [
          { collection: 'cases', id: 'c-1', doc: { v: 2 }, indexes: { status: ['CLOSED'] } },
          { collection: 'cases', id: 'c-2', doc: null },
          { collection: 'cases', id: 'c-3', doc: { v: 2 }, indexes: { status: ['OPEN'] } },
          { collection: 'cases', id: 'c-4', doc: circular() },
          { collection: 'cases', id: 'c-5', doc: { v: 2 } },
        ]);
      } catch (error) {
        failure = error;
      }
      expect(failure).to.be.instanceOf(TypeError);
    };

    const expectUnchanged = async (): Promise<void> => {
      expect(await store.checkpoint('cases')).to.equal(10n);
      expect(await store.listIds('cases')).to.deep.equal(['c-1', 'c-2']);
      expect(await store.getMany('cases', ['c-1', 'c-2', 'c-3'])).to.deep.equal([{ v: 1 }, { v: 1 }, null]);
      expect(await store.findIds('cases', 'status', 'OPEN')).to.deep.equal(['c-1', 'c-2']);
      expect(await store.findIds('cases', 'status', 'CLOSED')).to.deep.equal([]);
    };

    it('leaves documents, index entries and checkpoint as they were', async () => {
      await attemptBrokenCommit();
      await expectUnchanged();
    });

    it('leaves nothing of itself on disk', async () => {
      await attemptBrokenCommit();
      await store.close();
      store = openEmbeddedReadModelStore({ path });
      await expectUnchanged();
    });

    it('does not stop the next commit', async () => {
      await attemptBrokenCommit();
      await store.commit('cases', 20n, [{ collection: 'cases', id: 'c-3', doc: { v: 3 } }]);
      expect(await store.checkpoint('cases')).to.equal(20n);
      expect(await store.listIds('cases')).to.deep.equal(['c-1', 'c-2', 'c-3']);
    });
  });

  it('hands out frozen documents', async () => {
    await store.commit('cases', 1n, [{ collection: 'cases', id: 'c-1', doc: { parties: [{ name: '李四' }] } }]);
    const doc = (await store.get<{ parties: { name: string }[] }>('cases', 'c-1'))!;
    expect(Object.isFrozen(doc)).to.equal(true);
    expect(Object.isFrozen(doc.parties[0])).to.equal(true);
    expect(() => {
      doc.parties[0]!.name = '王五';
    }).to.throw(TypeError);
  });

  it('fails a commit of something JSON cannot hold and stays usable', async () => {
    let failure: unknown;
    try {
      await store.commit('cases', 1n, [{ collection: 'cases', id: 'c-1', doc: { amount: 1n } }]);
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(TypeError);
    expect(await store.checkpoint('cases')).to.equal(null);
    expect(await store.get('cases', 'c-1')).to.equal(null);
  });

  it('an ordered index of 100,000 entries (timings printed, not asserted)', async function () {
    this.timeout(120_000);
    console.log(`      embedded (SQLite file): ${await measureOrderedIndex(store, 'clocks', 'clocks')}`);
  });

  it('commits in a thread of its own: waiting for another connection\'s write lock holds up nothing here', async () => {
    await store.commit('cases', 1n, [{ collection: 'cases', id: 'c-1', doc: { v: 1 }, indexes: { status: ['OPEN'] } }]);
    const other = openDurableDatabase(path);
    try {
      other.exec('BEGIN IMMEDIATE');
      let settled: string | null = null;
      const committing = store.commit('cases', 2n, [{ collection: 'cases', id: 'c-1', doc: { v: 2 }, indexes: { status: ['CLOSED'] } }]).then(
        () => (settled = 'committed'),
        (error: Error) => (settled = `failed: ${error.message}`),
      );
      // committed on this thread, the upsert would wait here for the lock (busy timeout 5 s), timers and all; reads
      // go on meanwhile, and see the last commit
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).to.equal(null);
      expect(await store.get('cases', 'c-1')).to.deep.equal({ v: 1 });
      expect(await store.findIds('cases', 'status', 'OPEN')).to.deep.equal(['c-1']);
      other.exec('COMMIT');
      await committing;
      expect(settled).to.equal('committed');
      // what a commit wrote is there for the read after it
      expect(await store.get('cases', 'c-1')).to.deep.equal({ v: 2 });
      expect(await store.findIds('cases', 'status', 'CLOSED')).to.deep.equal(['c-1']);
      expect(await store.checkpoint('cases')).to.equal(2n);
    } finally {
      other.close();
    }
  });

  it('belongs to one store at a time: a second on the same file is refused until the first is closed', async () => {
    expect(() => openEmbeddedReadModelStore({ path })).to.throw(/in use by another process/);
    await store.commit('cases', 1n, [{ collection: 'cases', id: 'c-1', doc: { v: 1 } }]);
    await store.close();
    store = openEmbeddedReadModelStore({ path });
    expect(await store.get('cases', 'c-1')).to.deep.equal({ v: 1 });
  });

  it('refuses calls after close', async () => {
    await store.close();
    let failure: unknown;
    try {
      await store.get('cases', 'c-1');
    } catch (error) {
      failure = error;
    }
    expect(String(failure)).to.match(/closed/);
    store = openEmbeddedReadModelStore({ path });
  });
});
