/**
 * Rejections in SQLite. Given an open database (the event store's) it shares that file and leaves the
 * connection to its owner; given a path it opens and owns its own, with the same durable settings.
 *
 * Append-only and hash-chained (migration 2; infra/audit/logChain.ts): triggers refuse every UPDATE and
 * DELETE, and every INSERT that is not the next id chained onto `rejections_head` — INSERT OR REPLACE,
 * REPLACE INTO and upserts included (the BEFORE INSERT trigger's RAISE(ABORT) runs before REPLACE could
 * delete the old row, and overrides the statement's conflict resolution).
 */
import { migrate, openDurableDatabase, type Migration, type SqliteDatabase } from '../eventStore/sqliteDatabase.js';
import type { ChainReader } from '../../ports/chainedLog.js';
import { backfillChain, chainedTableTriggers, chainReaders } from '../sqlite/chainedTable.js';
import { chainHash } from '../audit/logChain.js';
import {
  type NewRejection,
  type RejectionChannel,
  type RejectionPage,
  type RejectionRecord,
  type RejectionStore,
} from '../../ports/rejectionStore.js';
import { idCursors } from '../idCursor.js';

export type SqliteRejectionStoreOptions = { database: SqliteDatabase } | { path: string };

const MIGRATIONS: readonly Migration[] = [
  `CREATE TABLE rejections (
     id          INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: ids only grow, even after a purge
     agency_id   TEXT,
     source      TEXT,
     channel     TEXT NOT NULL CHECK (channel IN ('http', 'kafka', 'graphql')),
     received_at TEXT NOT NULL,
     code        TEXT NOT NULL,
     message     TEXT NOT NULL,
     event_id    TEXT,
     event_type  TEXT,
     raw         TEXT NOT NULL
   );
   -- a viewer lists its own agency's rejections
   CREATE INDEX rejections_by_agency ON rejections (agency_id, id);`,
  // 2: the hash chain; rejections stored before it get their hashes here, once, in id order
  (db) => {
    db.exec(`ALTER TABLE rejections ADD COLUMN hash TEXT;
      ALTER TABLE rejections ADD COLUMN prev_hash TEXT;
      CREATE TABLE rejections_head (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        last_id   INTEGER NOT NULL,   -- the newest rejection (0: none)
        last_hash TEXT
      );`);
    const { lastId, lastHash } = backfillChain(db, { table: 'rejections', columns: COLUMNS, toRecord });
    db.prepare('INSERT INTO rejections_head (singleton, last_id, last_hash) VALUES (1, ?, ?)').run(lastId, lastHash);
    db.exec(
      chainedTableTriggers({
        table: 'rejections',
        head: 'rejections_head',
        subject: 'rejections are',
        replaced: 'a rejection is never replaced',
        chained: "a new rejection takes the next id and the newest one''s hash as prev_hash",
        pruned: false,
      }),
    );
  },
];

interface RejectionRow {
  id: number;
  hash?: string | null;
  prev_hash?: string | null;
  agency_id: string | null;
  source: string | null;
  channel: RejectionChannel;
  received_at: string;
  code: string;
  message: string;
  event_id: string | null;
  event_type: string | null;
  raw: string;
}

const COLUMNS = 'id, agency_id, source, channel, received_at, code, message, event_id, event_type, raw';
const CURSOR_PREFIX = 'rejection:';
const cursors = idCursors(CURSOR_PREFIX, /^\d{1,15}$/);
const encodeCursor = cursors.encode;
const decodeCursor = (cursor: string): number => Number(cursors.decode(cursor));

export function openSqliteRejectionStore(options: SqliteRejectionStoreOptions): RejectionStore {
  const ownsDatabase = !('database' in options);
  const db = 'database' in options ? options.database : openDurableDatabase(options.path);
  try {
    migrate(db, 'rejections', MIGRATIONS);
  } catch (error) {
    if (ownsDatabase) db.close();
    throw error;
  }

  const statements = {
    insert: db.prepare<[number, string | null, string | null, string, string, string, string, string | null, string | null, string, string, string | null]>(
      'INSERT INTO rejections (id, agency_id, source, channel, received_at, code, message, event_id, event_type, raw, hash, prev_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    head: db.prepare<[], { last_id: number; last_hash: string | null }>('SELECT last_id, last_hash FROM rejections_head'),
    page: db.prepare<[number, number], RejectionRow>(`SELECT ${COLUMNS} FROM rejections WHERE id > ? ORDER BY id LIMIT ?`),
    pageForAgency: db.prepare<[string, number, number], RejectionRow>(
      `SELECT ${COLUMNS} FROM rejections WHERE agency_id = ? AND id > ? ORDER BY id LIMIT ?`,
    ),
    count: db.prepare<[], number>('SELECT count(*) FROM rejections').pluck(),
    countForAgency: db.prepare<[string], number>('SELECT count(*) FROM rejections WHERE agency_id = ?').pluck(),
  };

  const recordInTransaction = db.transaction((rejections: readonly NewRejection[]): RejectionRecord[] => {
    const head = statements.head.get()!;
    let id = head.last_id;
    let prevHash = head.last_hash;
    return rejections.map((rejection) => {
      id += 1;
      // built field by field: a caller's extra properties (or a stray id) must not leak into the record
      const record: RejectionRecord = {
        id: String(id),
        agencyId: rejection.agencyId,
        source: rejection.source,
        channel: rejection.channel,
        receivedAt: rejection.receivedAt,
        code: rejection.code,
        message: rejection.message,
        eventId: rejection.eventId,
        eventType: rejection.eventType,
        raw: rejection.raw,
      };
      const hash = chainHash(record, prevHash);
      statements.insert.run(
        id,
        record.agencyId,
        record.source,
        record.channel,
        record.receivedAt,
        record.code,
        record.message,
        record.eventId,
        record.eventType,
        record.raw,
        hash,
        prevHash,
      );
      prevHash = hash;
      return record;
    });
  });

  const openChain = chainReaders(db, { table: 'rejections', columns: COLUMNS, head: () => statements.head.get()!, toRecord });

  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw new Error('rejection store is closed');
  };

  return {
    chainName: '退回记录',

    async openChain(): Promise<ChainReader> {
      assertOpen();
      return openChain();
    },

    async record(rejections) {
      assertOpen();
      if (rejections.length === 0) return [];
      return recordInTransaction.immediate(rejections);
    },

    async list({ agencyId, first, after }): Promise<RejectionPage> {
      assertOpen();
      if (!Number.isInteger(first) || first < 0) throw new RangeError(`first must be a non-negative integer, got ${first}`);
      const afterId = after === undefined ? 0 : decodeCursor(after);
      // one extra row tells whether another page follows without a second query
      const rows =
        agencyId === undefined
          ? statements.page.all(afterId, first + 1)
          : statements.pageForAgency.all(agencyId, afterId, first + 1);
      const nodes = rows.slice(0, first).map(toRecord);
      const last = nodes.at(-1);
      return {
        totalCount: agencyId === undefined ? statements.count.get()! : statements.countForAgency.get(agencyId)!,
        nodes,
        endCursor: last === undefined ? null : encodeCursor(last.id),
        hasNextPage: rows.length > first,
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      if (ownsDatabase) db.close();
    },
  };
}

/** the record as list() returns it, and as its hash covers it */
function toRecord(row: RejectionRow): RejectionRecord {
  return {
    id: String(row.id),
    agencyId: row.agency_id,
    source: row.source,
    channel: row.channel,
    receivedAt: row.received_at,
    code: row.code,
    message: row.message,
    eventId: row.event_id,
    eventType: row.event_type,
    raw: row.raw,
  };
}
