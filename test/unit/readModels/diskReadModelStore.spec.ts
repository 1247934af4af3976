import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openDiskReadModelStore } from '../../../infra/readModels/diskReadModelStore.js';
import { openEmbeddedReadModelStore } from '../../../infra/readModels/embeddedReadModelStore.js';
import { readModelStoreContract } from '../../contract/readModelStore.contract.js';

readModelStoreContract('disk (the embedded file, nothing in memory)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'liandong-disk-readmodels-'));
  const open = () => openDiskReadModelStore({ path: join(dir, 'readmodels.db') });
  let store = open();
  return {
    get store() {
      return store;
    },
    reopen: async () => (await store.close(), (store = open())),
    cleanup: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })),
  };
});

describe('disk read model store: the embedded store’s file format', () => {
  it('reads what the embedded store wrote, and the embedded store reads what it wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liandong-disk-readmodels-'));
    const path = join(dir, 'readmodels.db');
    try {
      const embedded = openEmbeddedReadModelStore({ path });
      await embedded.commit('p', 3n, [
        { collection: 'c', id: 'b', doc: { n: 2 }, indexes: { owner: ['x', 'y'] } },
        { collection: 'c', id: 'a', doc: { n: 1 }, indexes: { owner: ['x'] } },
      ]);
      await embedded.close();

      const disk = openDiskReadModelStore({ path });
      expect(await disk.listIds('c')).to.deep.equal(['a', 'b']);
      expect(await disk.getMany('c', ['b', 'zz', 'a'])).to.deep.equal([{ n: 2 }, null, { n: 1 }]);
      expect(await disk.findIds('c', 'owner', 'x')).to.deep.equal(['a', 'b']);
      expect(await disk.checkpoint('p')).to.equal(3n);
      // a write naming no index keeps the entries the embedded store wrote
      await disk.commit('p', 4n, [{ collection: 'c', id: 'a', doc: { n: 10 } }, { collection: 'c', id: 'b', doc: null }]);
      await disk.close();

      const reopened = openEmbeddedReadModelStore({ path });
      expect(await reopened.listIds('c')).to.deep.equal(['a']);
      expect(await reopened.get('c', 'a')).to.deep.equal({ n: 10 });
      expect(await reopened.findIds('c', 'owner', 'x')).to.deep.equal(['a']);
      expect(await reopened.findIds('c', 'owner', 'y')).to.deep.equal([]);
      expect(await reopened.checkpoint('p')).to.equal(4n);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
