import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { migrate, openDurableDatabase } from '../../../infra/eventStore/sqliteDatabase.js';
import { openSqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { eventHash } from '../../../infra/eventStore/eventHash.js';
import { trustedKeys } from '../../../infra/audit/signingKey.js';
import { verifyStore } from '../../../infra/audit/verify.js';

/** the events schema as version 1 left it: hash and prev_hash reserved, NULL */
const VERSION_1 = `CREATE TABLE events (
     position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, revision INTEGER NOT NULL, type TEXT NOT NULL,
     data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL, idempotency_key TEXT UNIQUE, hash TEXT, prev_hash TEXT,
     UNIQUE (stream_id, revision));
   CREATE TABLE streams (stream_id TEXT PRIMARY KEY, revision INTEGER NOT NULL) WITHOUT ROWID;`;

describe('SQLite store: hash chains for events stored before the audit (schema version 2)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-backfill-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('computes them once on opening, then appends chain on; a hash removed later is reported, not refilled', async () => {
    const path = join(dir, 'liandong.db');
    const old = openDurableDatabase(path);
    migrate(old, 'events', [VERSION_1]);
    const insert = old.prepare('INSERT INTO events (stream_id, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?)');
    const metadata = JSON.stringify({ source: 'ly-court', eventId: null, principal: null, channel: 'http', time: '2024-05-06T09:30:00+08:00' });
    for (const [streamId, revision] of [['case-a', 0], ['case-b', 0], ['case-a', 1]] as const) {
      insert.run(streamId, revision, 'case.noted', JSON.stringify({ streamId, revision }), metadata, '2024-05-06T01:30:00.000Z');
    }
    old.exec(`INSERT INTO streams VALUES ('case-a', 1), ('case-b', 0)`);
    old.close();

    let store = openSqliteEventStore({ path });
    await store.append([{ streamId: 'case-a', expectedRevision: 1, events: [{ type: 'case.noted', data: {}, metadata: JSON.parse(metadata) }] }]);
    const chain = await store.readStream('case-a');
    expect(chain.map((event) => event.prevHash)).to.deep.equal([null, chain[0]!.hash, chain[1]!.hash]);
    for (const event of [...chain, ...(await store.readStream('case-b'))]) expect(eventHash(event)).to.equal(event.hash);
    expect(store.database.prepare("SELECT version FROM schema_versions WHERE component = 'events'").pluck().get()).to.equal(2);

    store.database.prepare('UPDATE events SET hash = NULL WHERE position = 2').run();
    await store.close();
    store = openSqliteEventStore({ path });
    const report = await verifyStore({ store, trustedKeys: trustedKeys([]) });
    expect(report).to.deep.include({ ok: false, firstBrokenPosition: 2n });
    expect(report.detail).to.contain('没有存储哈希');
    await store.close();
  });
});
