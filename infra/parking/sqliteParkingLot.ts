/**
 * The embedded parking lot (events.md §5 `parked`): a table in the event store's SQLite file, so a parked event is
 * as durable as a stored one and survives a restart. Given an open database it leaves the connection to its
 * owner; given a path it opens and owns its own (EventStoreDB without PostgreSQL: one ingest replica's file).
 */
import { migrate, openDurableDatabase, type SqliteDatabase } from '../eventStore/sqliteDatabase.js';
import { pairKey, type NewParkedEvent, type ParkedEvent, type ParkingChannel, type ParkingLot, type ParkingStats } from '../../ports/parkingLot.js';

const MIGRATIONS = [
  `CREATE TABLE parked_events (
     seq          INTEGER PRIMARY KEY AUTOINCREMENT, -- parking order: each publisher's order
     key          TEXT NOT NULL UNIQUE,              -- source/id
     source       TEXT NOT NULL,
     event_id     TEXT NOT NULL,
     subject      TEXT NOT NULL,
     type         TEXT NOT NULL,
     agency_id    TEXT NOT NULL,
     principal    TEXT,
     channel      TEXT NOT NULL CHECK (channel IN ('http', 'kafka')),
     received_at  TEXT NOT NULL,
     parked_until TEXT NOT NULL,
     code         TEXT NOT NULL,
     message      TEXT NOT NULL,
     raw          TEXT NOT NULL
   );
   -- "does this publisher have an earlier event of this case waiting?" before every batch is decided
   CREATE INDEX parked_events_by_subject ON parked_events (source, subject);
   CREATE INDEX parked_events_by_expiry ON parked_events (parked_until);`,
];

interface ParkedRow {
  seq: number | string;
  key: string;
  source: string;
  event_id: string;
  subject: string;
  type: string;
  agency_id: string;
  principal: string | null;
  channel: ParkingChannel;
  received_at: string;
  parked_until: string;
  code: string;
  message: string;
  raw: string;
}

const PARKED_COLUMNS = 'seq, key, source, event_id, subject, type, agency_id, principal, channel, received_at, parked_until, code, message, raw';

const fromParkedRow = (row: ParkedRow): ParkedEvent => ({
  seq: String(row.seq),
  key: row.key,
  source: row.source,
  eventId: row.event_id,
  subject: row.subject,
  type: row.type,
  agencyId: row.agency_id,
  principal: row.principal,
  channel: row.channel,
  receivedAt: row.received_at,
  parkedUntil: row.parked_until,
  code: row.code,
  message: row.message,
  raw: row.raw,
});

export type SqliteParkingLotOptions = { database: SqliteDatabase } | { path: string };

export function openSqliteParkingLot(options: SqliteParkingLotOptions): ParkingLot {
  const owned = 'path' in options;
  const db = owned ? openDurableDatabase(options.path) : options.database;
  migrate(db, 'parking', MIGRATIONS);
  const statements = {
    insert: db.prepare(
      `INSERT INTO parked_events (key, source, event_id, subject, type, agency_id, principal, channel, received_at, parked_until, code, message, raw)
       VALUES (@key, @source, @eventId, @subject, @type, @agencyId, @principal, @channel, @receivedAt, @parkedUntil, @code, @message, @raw)
       ON CONFLICT (key) DO NOTHING`,
    ),
    until: db.prepare<[string], string>('SELECT parked_until FROM parked_events WHERE key = ?').pluck(),
    waiting: db.prepare<[string, string], number>('SELECT 1 FROM parked_events WHERE source = ? AND subject = ? LIMIT 1').pluck(),
    list: db.prepare<[number], ParkedRow>(`SELECT ${PARKED_COLUMNS} FROM parked_events ORDER BY seq LIMIT ?`),
    find: db.prepare<[string], ParkedRow>(`SELECT ${PARKED_COLUMNS} FROM parked_events WHERE key = ?`),
    release: db.prepare<[string]>('DELETE FROM parked_events WHERE key = ?'),
    stats: db.prepare<[], { n: number; oldest: string | null; next: string | null }>(
      'SELECT count(*) AS n, min(received_at) AS oldest, min(parked_until) AS next FROM parked_events',
    ),
  };
  const parkAll = db.transaction((events: readonly NewParkedEvent[]) => {
    const until = new Map<string, string>();
    for (const e of events) {
      statements.insert.run(e);
      until.set(e.key, statements.until.get(e.key)!);
    }
    return until;
  });
  const releaseAll = db.transaction((keys: readonly string[]) => {
    for (const key of keys) statements.release.run(key);
  });
  let closed = false;
  const open = (): void => {
    if (closed) throw new Error('parking lot is closed');
  };

  return {
    async park(events) {
      open();
      return events.length === 0 ? new Map() : parkAll(events);
    },
    async waiting(pairs) {
      open();
      const found = new Set<string>();
      for (const { source, subject } of pairs) if (statements.waiting.get(source, subject) !== undefined) found.add(pairKey(source, subject));
      return found;
    },
    async list(limit): Promise<ParkedEvent[]> {
      open();
      return statements.list.all(limit).map(fromParkedRow);
    },
    async find(key) {
      open();
      const row = statements.find.get(key);
      return row ? fromParkedRow(row) : null;
    },
    async release(keys) {
      open();
      if (keys.length > 0) releaseAll(keys);
    },
    async stats(): Promise<ParkingStats> {
      open();
      const { n, oldest, next } = statements.stats.get()!;
      return { count: n, oldestReceivedAt: oldest, nextExpiry: next };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (owned) db.close();
    },
  };
}
