import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import type { SqliteDatabase } from '../../../infra/eventStore/sqliteDatabase.js';
import { auditTamperSuite, type TamperAccess } from '../../contract/auditTamper.contract.js';

/** what an intruder with the file could do, in plain SQL on a second connection's worth of access */
function sqliteTamper(db: SqliteDatabase): TamperAccess {
  const columns = ['stream_id', 'revision', 'type', 'data', 'metadata', 'recorded_at', 'idempotency_key', 'hash', 'prev_hash'];
  const row = (position: bigint) => db.prepare(`SELECT ${columns.join(', ')} FROM events WHERE position = ?`).get(position) as Record<string, unknown>;
  const write = db.prepare(`UPDATE events SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE position = @position`);
  return {
    async setData(position, data) {
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify(data), position);
    },
    async swapContents(a, b) {
      const first = row(a);
      const second = row(b);
      db.transaction(() => {
        write.run({ ...first, revision: -1, idempotency_key: null, position: a });
        write.run({ ...first, position: b });
        write.run({ ...second, position: a });
      })();
    },
    async deletePositions(positions) {
      db.transaction(() => {
        for (const position of positions) db.prepare('DELETE FROM events WHERE position = ?').run(position);
        db.exec(`DELETE FROM streams; INSERT INTO streams (stream_id, revision) SELECT stream_id, max(revision) FROM events GROUP BY stream_id;`);
      })();
    },
    async setHashes(position, hash, prevHash) {
      db.prepare('UPDATE events SET hash = ?, prev_hash = ? WHERE position = ?').run(hash, prevHash, position);
    },
    async movePosition(from, to) {
      db.prepare('UPDATE events SET position = ? WHERE position = ?').run(to, from);
    },
  };
}

auditTamperSuite('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'liandong-tamper-'));
  const store = openSqliteEventStore({ path: join(dir, 'liandong.db') });
  return {
    store,
    tamper: sqliteTamper(store.database),
    headOutlivesRows: false,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
