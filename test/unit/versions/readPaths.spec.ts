/**
 * Every read path that interprets stored events gets them in the current shape of their type: the projection runner
 * (live subscription and rebuild — `liandong replay` rebuilds through it) and the case fold. A version-1 event is
 * written here straight into the store, as a store written before revision 2 holds it (no dataschema), with a field
 * version 1 never had, so that "upcast" and "as stored" can be told apart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { toDomainEvent } from '../../../application/commandHandler.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { openEmbeddedReadModelStore } from '../../../infra/readModels/embeddedReadModelStore.js';
import type { EventMetadata, RecordedEvent } from '../../../ports/eventStore.js';
import type { ReadModelStore } from '../../../ports/readModelStore.js';
import type { Projection } from '../../../projections/projection.js';
import { createProjectionRunner } from '../../../projections/runner.js';

const metadata: EventMetadata = { source: 'yl-proc', eventId: null, principal: null, channel: 'http', time: '2026-09-25T16:00:00+08:00' };
const asStoredBeforeRevision2 = { handoffId: 'h1', days: 15, approvedBy: '检察长', stray: 'never part of version 1' };
const version2 = { handoffId: 'h2', ground: 'major_complex', approvedBy: '检察长' };

/** keeps the data of every handoff.extended it is given, by handoff */
const extensionsSeen: Projection<unknown> = {
  name: 'extensionsSeen',
  canHandle: ['handoff.extended'],
  collections: ['extensionsSeen'],
  keys: (event: RecordedEvent) => [['extensionsSeen', String(event.data.handoffId)] as const],
  evolve: (_doc: unknown, event: RecordedEvent) => ({ doc: { data: event.data } }),
};

describe('read paths see the current shape', () => {
  let dir: string;
  let store: SqliteEventStore;
  let readModels: ReadModelStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-versions-'));
    store = openSqliteEventStore({ path: join(dir, 'events.db') });
    readModels = openEmbeddedReadModelStore({ path: join(dir, 'readmodels.db') });
    await store.append([
      {
        streamId: 'case-XS-1',
        expectedRevision: 'no_stream',
        events: [
          { type: 'handoff.extended', data: asStoredBeforeRevision2, metadata },
          { type: 'handoff.extended', data: version2, metadata: { ...metadata, dataschema: 'urn:liandong:handoff.extended:2' } },
        ],
      },
    ]);
  });
  afterEach(async () => {
    await store.close();
    await readModels.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const seen = async (models: ReadModelStore) => (await models.getMany('extensionsSeen', ['h1', 'h2'])).map((d) => (d as { data: unknown } | null)?.data);

  it('the store itself still hands out what was stored', async () => {
    expect((await store.readStream('case-XS-1')).map((e) => e.data)).to.deep.equal([asStoredBeforeRevision2, version2]);
  });

  it('projections, live', async () => {
    const runner = createProjectionRunner({ store, readModels, projections: [extensionsSeen], ctx: {} });
    await runner.start();
    try {
      await runner.waitFor(2n);
    } finally {
      await runner.stop();
    }
    expect(await seen(readModels)).to.deep.equal([{ handoffId: 'h1', days: 15, approvedBy: '检察长' }, version2]);
  });

  it('projections, rebuilt', async () => {
    const runner = createProjectionRunner({ store, readModels, projections: [extensionsSeen], ctx: {} });
    const fresh = openEmbeddedReadModelStore({ path: join(dir, 'rebuilt.db') });
    try {
      await runner.rebuild(fresh);
      expect(await seen(fresh)).to.deep.equal([{ handoffId: 'h1', days: 15, approvedBy: '检察长' }, version2]);
    } finally {
      await fresh.close();
    }
  });

  it('the case fold (toDomainEvent, which loadStream folds with)', async () => {
    const [v1, v2] = await store.readStream('case-XS-1');
    expect(toDomainEvent(v1!).data).to.deep.equal({ handoffId: 'h1', days: 15, approvedBy: '检察长' });
    expect(toDomainEvent(v2!).data).to.equal(v2!.data);
  });
});
