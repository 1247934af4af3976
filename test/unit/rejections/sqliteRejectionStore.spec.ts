import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openDurableDatabase } from '../../../infra/eventStore/sqliteDatabase.js';
import { openSqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { openSqliteRejectionStore } from '../../../infra/rejections/sqliteRejectionStore.js';
import { rejectionStoreContract } from '../../contract/rejectionStore.contract.js';
import { sqliteTamper } from '../../contract/chainTamper.js';
import { verifyChain } from '../../../infra/audit/logChain.js';

rejectionStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'liandong-rejections-'));
  const open = () => openSqliteRejectionStore({ path: join(dir, 'rejections.db') });
  const store = open();
  const cleanup = async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { store, reopen: async () => open(), cleanup, tamper: sqliteTamper(join(dir, 'rejections.db'), 'rejections', 'rejections_head') };
});

describe('SQLite rejection store', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-rejections-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('shares the event store’s file and leaves the connection to its owner', async () => {
    const events = openSqliteEventStore({ path: join(dir, 'liandong.db') });
    const rejections = openSqliteRejectionStore({ database: events.database });
    const [recorded] = await rejections.record([
      {
        agencyId: 'ly-gov',
        source: 'ly-gov',
        channel: 'kafka',
        receivedAt: '2024-05-06T01:30:00.000Z',
        code: 'unauthorized',
        message: 'ly-gov may not publish judgment.issued',
        eventId: 'j-1',
        eventType: 'judgment.issued',
        raw: '{}',
      },
    ]);
    await rejections.close();
    // still open for the event store
    await events.append([
      { streamId: 'case-1', expectedRevision: 'no_stream', events: [{ type: 'x', data: {}, metadata: { source: null, eventId: null, principal: null, channel: 'platform', time: '2024-05-06T01:30:00Z' } }] },
    ]);
    expect(events.database.pragma('synchronous', { simple: true })).to.equal(2);
    await events.close();

    const reopened = openSqliteRejectionStore({ path: join(dir, 'liandong.db') });
    try {
      expect((await reopened.list({ first: 5 })).nodes).to.deep.equal([recorded]);
    } finally {
      await reopened.close();
    }
  });

  it('opens its own file in WAL mode and records its schema version', async () => {
    const path = join(dir, 'rejections.db');
    const store = openSqliteRejectionStore({ path });
    await store.close();
    const db = openDurableDatabase(path);
    try {
      expect(db.pragma('journal_mode', { simple: true })).to.equal('wal');
      expect(db.prepare("SELECT version FROM schema_versions WHERE component = 'rejections'").pluck().get()).to.equal(2);
    } finally {
      db.close();
    }
  });

  it('stores all of a batch or none of it', async () => {
    const store = openSqliteRejectionStore({ path: join(dir, 'rejections.db') });
    try {
      const good = { agencyId: 'ly-gov', source: null, channel: 'http' as const, receivedAt: '2024-05-06T01:30:00.000Z', code: 'invalid_envelope', message: 'bad JSON', eventId: null, eventType: null, raw: '{' };
      let failure: unknown;
      await store.record([good, { ...good, channel: 'carrier-pigeon' as 'http' }]).catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(Error);
      expect((await store.list({ first: 5 })).totalCount).to.equal(0);
      // the failed batch gave its ids back: the chain continues at 1
      expect((await store.record([good]))[0]!.id).to.equal('1');
      expect((await verifyChain(store)).ok).to.equal(true);
    } finally {
      await store.close();
    }
  });

  it('gives rejections stored before the hash chain their hashes at migration', async () => {
    const path = join(dir, 'rejections.db');
    const db = openDurableDatabase(path);
    // the schema before the chain (migration 1), as files written then hold it
    db.exec(`CREATE TABLE rejections (
        id INTEGER PRIMARY KEY AUTOINCREMENT, agency_id TEXT, source TEXT,
        channel TEXT NOT NULL CHECK (channel IN ('http', 'kafka', 'graphql')), received_at TEXT NOT NULL,
        code TEXT NOT NULL, message TEXT NOT NULL, event_id TEXT, event_type TEXT, raw TEXT NOT NULL);
      CREATE INDEX rejections_by_agency ON rejections (agency_id, id);
      CREATE TABLE schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL);
      INSERT INTO schema_versions VALUES ('rejections', 1);
      INSERT INTO rejections (agency_id, source, channel, received_at, code, message, event_id, event_type, raw) VALUES
        ('ly-gov', 'ly-gov', 'http', '2024-05-06T01:30:00.000Z', 'invalid_data', '案件不存在', 'e1', 'case.closed', '{"a":1}'),
        (NULL, NULL, 'kafka', '2024-05-06T01:31:00.000Z', 'invalid_envelope', 'bad JSON', NULL, NULL, '{not json');`);
    db.close();
    const store = openSqliteRejectionStore({ path });
    try {
      const migrated = await verifyChain(store);
      expect(migrated, migrated.detail).to.deep.include({ ok: true, checked: 2 });
      const [next] = await store.record([
        { agencyId: 'ly-gov', source: 'ly-gov', channel: 'http', receivedAt: '2024-05-07T01:30:00.000Z', code: 'invalid_data', message: 'x', eventId: 'e2', eventType: null, raw: '{}' },
      ]);
      expect(next!.id).to.equal('3');
      expect((await verifyChain(store)).ok).to.equal(true);
      expect((await store.list({ first: 5 })).nodes.map((node) => node.message)).to.deep.equal(['案件不存在', 'bad JSON', 'x']);
    } finally {
      await store.close();
    }
  });
});
