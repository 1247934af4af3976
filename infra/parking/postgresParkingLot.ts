/**
 * The parking lot in PostgreSQL (distributed mode), beside the rejections in the platform's schema: every ingest
 * and gateway replica parks into one table, so an event parked by a replica that is then killed is taken up by any
 * other (events.md §5: a parked event survives restarts and failover).
 *
 * Replicas may retry the same parked events at the same time. Nothing is doubled by it: a fact is stored once by
 * its idempotency key, and a release of a key already released does nothing.
 *
 * What the sender wrote freely (the event id, hence the key; the message quoting its data; the raw bytes) may carry
 * U+0000, which `text` cannot hold: the key is kept JSON-encoded and the rest in a `json` column, which keeps
 * `\u0000` as written. Source and subject are pattern-checked by the envelope, the rest is the platform's.
 */
import pg from 'pg';
import { migrateComponent, type PostgresMigration } from '../postgres/migrateComponent.js';
import { pairKey, type ParkedEvent, type ParkingLot, type ParkingStats } from '../../ports/parkingLot.js';
import type { ParkingChannel } from '../../ports/parkingLot.js';

export interface PostgresParkingLotOptions {
  connectionString: string;
  /** the schema holding the table, created if missing (default `liandong`, the event store's) */
  schema?: string;
  /** pooled connections (default 2): parking is rare, the retry pass is one process's at a time */
  maxConnections?: number;
}

const DEFAULT_SCHEMA = 'liandong';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,46}$/;
const COMPONENT = 'parking';

interface Detail {
  eventId: string;
  message: string;
  raw: string;
}

interface Row {
  seq: string;
  key: string;
  source: string;
  subject: string;
  type: string;
  agency_id: string;
  principal: string | null;
  channel: ParkingChannel;
  received_at: string;
  parked_until: string;
  code: string;
  detail: Detail; // json arrives parsed
}

const fromRow = (row: Row): ParkedEvent => ({
  seq: row.seq,
  key: JSON.parse(row.key) as string,
  source: row.source,
  eventId: row.detail.eventId,
  subject: row.subject,
  type: row.type,
  agencyId: row.agency_id,
  principal: row.principal,
  channel: row.channel,
  receivedAt: row.received_at,
  parkedUntil: row.parked_until,
  code: row.code,
  message: row.detail.message,
  raw: row.detail.raw,
});

const MIGRATIONS: readonly PostgresMigration[] = [
  (schema) => `
   CREATE TABLE ${schema}.parked_events (
     seq          bigserial PRIMARY KEY,   -- parking order: each publisher's order
     key          text NOT NULL UNIQUE,    -- source/id, JSON-encoded
     source       text NOT NULL,
     subject      text NOT NULL,
     type         text NOT NULL,
     agency_id    text NOT NULL,
     principal    text,
     channel      text NOT NULL CHECK (channel IN ('http', 'kafka')),
     received_at  text NOT NULL,           -- RFC 3339 as given, returned unchanged
     parked_until text NOT NULL,
     code         text NOT NULL,
     detail       json NOT NULL            -- eventId, message, raw
   );
   CREATE INDEX parked_events_by_subject ON ${schema}.parked_events (source, subject);
   CREATE INDEX parked_events_by_expiry ON ${schema}.parked_events (parked_until);`,
];

export async function openPostgresParkingLot(options: PostgresParkingLotOptions): Promise<ParkingLot> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) throw new Error(`schema must match ${SCHEMA_NAME.source} (lower-case, at most 47 characters), got ${JSON.stringify(schema)}`);
  const table = `"${schema}".parked_events`;
  const pool = new pg.Pool({ connectionString: options.connectionString, application_name: 'liandong-parking', max: options.maxConnections ?? 2 });
  // an idle pooled connection that dies (server restart) is discarded; unheard, its 'error' would crash the process
  pool.on('error', () => undefined);
  try {
    await migrateComponent(pool, schema, COMPONENT, MIGRATIONS);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const encodeKey = (key: string): string => JSON.stringify(key);
  // seq as stored (int8 arrives as a decimal string): `seq::text AS seq` would make ORDER BY seq sort it as text
  const columns = 'seq, key, source, subject, type, agency_id, principal, channel, received_at, parked_until, code, detail';
  let closed = false;
  const open = (): void => {
    if (closed) throw new Error('parking lot is closed');
  };

  return {
    async park(events) {
      open();
      if (events.length === 0) return new Map();
      const column = <K extends keyof (typeof events)[number]>(k: K) => events.map((e) => e[k]);
      // one statement: the new ones inserted in the given order, then every key's window (the first parking's). The
      // seq (each publisher's order) is drawn row by row out of the ordered subquery, so it follows the given order

      const result = await pool.query<{ key: string; parked_until: string }>(
        `WITH inserted AS (
           INSERT INTO ${table} (seq, key, source, subject, type, agency_id, principal, channel, received_at, parked_until, code, detail)
           SELECT nextval(pg_get_serial_sequence('${table}', 'seq')), key, source, subject, type, agency_id, principal, channel, received_at, parked_until, code, detail::json
           FROM (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
                   WITH ORDINALITY AS p (key, source, subject, type, agency_id, principal, channel, received_at, parked_until, code, detail, n)
                 ORDER BY n) AS ordered
           ON CONFLICT (key) DO NOTHING
           RETURNING key, parked_until)
         SELECT key, parked_until FROM inserted
         UNION ALL
         SELECT key, parked_until FROM ${table} WHERE key = ANY($1::text[]) AND key NOT IN (SELECT key FROM inserted)`,
        [
          events.map((e) => encodeKey(e.key)),
          column('source'),
          column('subject'),
          column('type'),
          column('agencyId'),
          column('principal'),
          column('channel'),
          column('receivedAt'),
          column('parkedUntil'),
          column('code'),
          events.map((e) => JSON.stringify({ eventId: e.eventId, message: e.message, raw: e.raw } satisfies Detail)),
        ],
      );
      const windows = new Map(result.rows.map((r) => [r.key, r.parked_until]));
      // a key another replica parked at the same moment: its row was committed after this statement's snapshot
      // (the insert waited for it, then did nothing), so it is read again, in a statement of its own
      const missed = events.map((e) => encodeKey(e.key)).filter((k) => !windows.has(k));
      if (missed.length > 0) {
        const again = await pool.query<{ key: string; parked_until: string }>(`SELECT key, parked_until FROM ${table} WHERE key = ANY($1::text[])`, [missed]);
        for (const r of again.rows) windows.set(r.key, r.parked_until);
      }
      return new Map([...windows].map(([key, until]) => [JSON.parse(key) as string, until]));
    },
    async waiting(pairs) {
      open();
      if (pairs.length === 0) return new Set();
      const result = await pool.query<{ source: string; subject: string }>(
        `SELECT DISTINCT p.source, p.subject FROM ${table} p
         JOIN unnest($1::text[], $2::text[]) AS q (source, subject) ON p.source = q.source AND p.subject = q.subject`,
        [pairs.map((p) => p.source), pairs.map((p) => p.subject)],
      );
      return new Set(result.rows.map((r) => pairKey(r.source, r.subject)));
    },
    async list(limit): Promise<ParkedEvent[]> {
      open();
      const result = await pool.query<Row>(`SELECT ${columns} FROM ${table} ORDER BY seq LIMIT $1`, [limit]);
      return result.rows.map(fromRow);
    },
    async find(key) {
      open();
      const result = await pool.query<Row>(`SELECT ${columns} FROM ${table} WHERE key = $1`, [encodeKey(key)]);
      return result.rows[0] ? fromRow(result.rows[0]) : null;
    },
    async release(keys) {
      open();
      if (keys.length > 0) await pool.query(`DELETE FROM ${table} WHERE key = ANY($1::text[])`, [keys.map(encodeKey)]);
    },
    async stats(): Promise<ParkingStats> {
      open();
      const result = await pool.query<{ n: string; oldest: string | null; next: string | null }>(
        `SELECT count(*)::text AS n, min(received_at) AS oldest, min(parked_until) AS next FROM ${table}`,
      );
      const row = result.rows[0]!;
      return { count: Number(row.n), oldestReceivedAt: row.oldest, nextExpiry: row.next };
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
